// Runs the real kubectl against a test server, with its own discovery cache, and returns what it said.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './eventually.js';

export interface KubectlProcess {
  stdout(): string;
  stderr(): string;
  /** undefined while it runs. */
  exitCode(): number | undefined;
  /** Waits until what it printed so far satisfies `matches`; fails if it exits first. */
  waitForOutput(what: string, matches: (stdout: string, stderr: string) => boolean): Promise<true>;
  exited: Promise<number>;
  stop(): Promise<number>;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Kubectl {
  private readonly cacheDir = mkdtempSync(join(tmpdir(), 'kubectl-cache-'));

  constructor(
    private readonly kubeconfig: string,
    /** The namespace every command runs in; null: none given (manifests name their own). */
    private readonly namespace: string | null = 'default',
  ) {}

  private spawn(args: string[], env: Record<string, string> = {}) {
    const namespace = this.namespace === null ? [] : ['-n', this.namespace];
    return spawn('kubectl', ['--kubeconfig', this.kubeconfig, '--cache-dir', this.cacheDir, ...namespace, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: this.cacheDir, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  run(args: string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<KubectlResult> {
    return new Promise((resolve, reject) => {
      const child = this.spawn(args, options.env);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      // A kubectl that exits before reading its input (a command that takes none) closes the pipe:
      // its exit code and stderr say what happened, not the EPIPE of writing to it.
      child.stdin.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') reject(error);
      });
      child.stdin.end(options.input ?? '');
    });
  }

  /** Starts a long-running kubectl (`get -w`, `wait`) whose output the test reads while it runs. */
  start(args: string[]): KubectlProcess {
    const child = this.spawn(args);
    let stdout = '';
    let stderr = '';
    let exitCode: number | undefined;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve((exitCode = code ?? -1))));
    child.stdin.end();
    return {
      stdout: () => stdout,
      stderr: () => stderr,
      exitCode: () => exitCode,
      waitForOutput: (what, matches) =>
        eventually(`kubectl ${args.join(' ')} to print ${what}`, () => {
          if (matches(stdout, stderr)) return true as const;
          if (exitCode !== undefined) throw new Error(`kubectl exited ${exitCode}: ${stderr}\n${stdout}`);
          return undefined;
        }),
      exited,
      stop: () => {
        if (exitCode === undefined) child.kill('SIGTERM');
        return exited;
      },
    };
  }

  /** Runs and fails the test with kubectl's own words when it does not exit 0. */
  async ok(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
    return result.stdout;
  }

  /** `kubectl get -o json` parsed. */
  async json<T = Record<string, unknown>>(args: string[]): Promise<T> {
    return JSON.parse(await this.ok([...args, '-o', 'json'])) as T;
  }

  inNamespace(namespace: string | null): Kubectl {
    return new Kubectl(this.kubeconfig, namespace);
  }
}
