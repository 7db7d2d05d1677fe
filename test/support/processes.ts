// Processes the tests start: moto_server and our server, each on a free loopback port, each stopped
// by the PID the test holds. Nothing else is ever killed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startMoto, type LocalAws } from '../../src/aws/moto.js';
import { https } from './https.js';

export { startMoto, freePort, type LocalAws };

export interface ServerProcess {
  url: string;
  /** The CA that signed the server's certificate. */
  ca: string;
  port: number;
  certsDir: string;
  kubeconfig: string;
  token: string;
  pid: number;
  logs(): string;
  stop(): Promise<void>;
  /** SIGKILL: the process dies at once, in the middle of whatever it was doing. */
  kill(): Promise<void>;
}

export interface ServerOptions {
  /** The AWS (moto) to serve against; without it the server starts its own embedded moto_server. */
  awsEndpoint?: string;
  clusterName?: string;
  extraArgs?: string[];
  env?: Record<string, string>;
  /** Reuse a port (to restart a server where clients expect it). */
  port?: number;
  /** Reuse a certificates directory (so a restarted server keeps the CA clients trust). */
  certsDir?: string;
  /** Reuse a bearer token (so clients holding the first server's kubeconfig keep working after a restart). */
  token?: string;
  /** How long the first read of AWS may take before /readyz must answer 200 (default 30 s; the benchmark's 10,000 objects take longer). */
  readyTimeoutMs?: number;
}

export const MAIN = join(process.cwd(), 'dist', 'src', 'main.js');

/** No AWS configured (HOME is a fresh folder, so no ~/.aws either): the server embeds moto_server. */
export const NO_AWS: Record<string, string> = { AWS_EC2_METADATA_DISABLED: 'true' };

export interface Exited {
  code: number | null;
  output: string;
}

/** Runs the server with `args` and exactly `env` (plus PATH) until it exits by itself; kills it by PID after `timeoutMs`. */
export function runServerToExit(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** True while a process with this PID exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function awsEnvironment(endpoint: string): Record<string, string> {
  // Explicit test credentials, and never a look at the instance metadata address.
  return { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };
}

async function waitReady(url: string, certsDir: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    try {
      const ca = caOf(certsDir);
      const response = await https(`${url}/readyz`, { ca });
      if (response.status === 200) return ca;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server not ready within ${timeoutMs / 1000} s:\n${output()}`);
}

export async function startServer(options: ServerOptions): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'aws-service-apiserver-'));
  const port = options.port ?? (await freePort());
  const kubeconfig = join(dir, 'kubeconfig');
  const token = options.token ?? 'test-token-' + Math.random().toString(36).slice(2);
  const certsDir = options.certsDir ?? join(dir, 'certs');
  const args = [MAIN, '--port', String(port), '--write-kubeconfig', kubeconfig, '--token', token, '--certs-dir', certsDir, '--cluster-name', options.clusterName ?? 'test', ...(options.extraArgs ?? [])];
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', HOME: dir, LOG_LEVEL: 'warn', ...(options.awsEndpoint ? awsEnvironment(options.awsEndpoint) : NO_AWS), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const url = `https://127.0.0.1:${port}`;
  // A readiness wait, not a performance check: generous, because a loaded CI machine is slow to start.
  const ca = await waitReady(url, certsDir, child, () => output, options.readyTimeoutMs ?? 60_000).catch(async (error: unknown) => {
    // A server that never became ready must not outlive the test (its handles would keep jest running).
    await ended(child, 'SIGKILL');
    throw error;
  });
  return {
    url,
    ca,
    port,
    certsDir,
    kubeconfig,
    token,
    pid: child.pid as number,
    logs: () => output,
    stop: () => ended(child, 'SIGTERM'),
    kill: () => ended(child, 'SIGKILL'),
  };
}

function ended(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export function caOf(certsDir: string): string {
  return readFileSync(join(certsDir, 'ca.crt'), 'utf8');
}
