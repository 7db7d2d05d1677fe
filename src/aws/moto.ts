// The embedded local AWS: a moto_server on a free loopback port, started when no AWS is configured
// (and by the tests), stopped with the process that started it. With a state file, or with moto's gaps
// filled, moto runs under moto_with_state.py (beside this file), which keeps moto's state in that file
// across restarts and installs moto_fills.py, a fake of what moto lacks for ElastiCache and stacks.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LocalAws {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilServing(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
}

export interface MotoOptions {
  /** Keep moto's state in this file: loaded at start, saved while it runs and when it stops. */
  stateFile?: string;
  /**
   * Fill what moto lacks for ElastiCache and CloudFormation with a fake (moto_fills.py: clusters that
   * take time to create and delete, endpoints, ModifyCacheCluster, termination protection).
   */
  fillGaps?: boolean;
  /** The moto_server command (default $MOTO_SERVER, else moto_server on the PATH). */
  command?: string;
}

/** The repository root, found from this module's place (src/aws/ when run by ts-jest, dist/src/aws/ when built). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (package.json) above src/aws/moto');
    dir = parent;
  }
  return dir;
}

/** The first line of a file, or '' (a binary or a missing file). */
function firstLine(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(256);
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8').split('\n')[0];
  } finally {
    closeSync(fd);
  }
}

/**
 * The Python that runs moto: $MOTO_PYTHON, else the interpreter in moto_server's #! line (a pip or
 * pipx install), else python3 (pyenv's shims are shell scripts that end at the same python3).
 */
function motoPython(command: string): string {
  if (process.env.MOTO_PYTHON) return process.env.MOTO_PYTHON;
  const script = command.includes('/') ? command : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, command)).find(existsSync);
  const shebang = script ? /^#!\s*(\S*python[\d.]*)\s*$/.exec(firstLine(script)) : null;
  return shebang?.[1] ?? 'python3';
}

export async function startMoto(options: MotoOptions = {}): Promise<LocalAws> {
  const command = options.command ?? process.env.MOTO_SERVER ?? 'moto_server';
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const address = ['-H', '127.0.0.1', '-p', String(port)];
  // Under the launcher our standard input is moto's lifeline: it saves and exits when we go, even if killed.
  const launcher = [...(options.stateFile ? ['--state', options.stateFile] : []), ...(options.fillGaps ? ['--fill-gaps'] : [])];
  const child = launcher.length
    ? spawn(motoPython(command), [join(repoRoot(), 'src', 'aws', 'moto_with_state.py'), ...launcher, ...address], { stdio: ['pipe', 'ignore', 'pipe'] })
    : spawn(command, address, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new Error(`could not start ${child.spawnfile}: ${error.message} (is moto_server installed? pip install "moto[server]")`)));
  });
  await spawned;
  try {
    await waitUntilServing(endpoint, child, 30_000);
  } catch (error) {
    await stopper(child)();
    throw new Error(`${(error as Error).message}\n${stderr.trim()}`, { cause: error });
  }
  return { endpoint, pid: child.pid as number, stop: stopper(child) };
}
