// A child process the control plane owns: its output goes to a log file (and the last lines stay in
// memory for error messages), and it is stopped by its own PID only: SIGTERM, then SIGKILL if it has
// not exited within the grace period.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface OwnedProcess {
  name: string;
  pid: number;
  logFile: string;
  /** The last part of what it printed. */
  tail(): string;
  running(): boolean;
  exited: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL, for tests of a crash. */
  kill(): Promise<void>;
}

export interface ProcessOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
}

const TAIL_BYTES = 16_000;

/** What this process started and has not stopped yet, so that a signal during start-up stops it too. */
const live = new Set<{ stop(): Promise<void> }>();

/** Tracks something started outside startProcess (e.g. moto_server) until its stop() is called. */
export function track<T extends { stop(graceMs?: number): Promise<void> }>(started: T): T {
  const stop = started.stop.bind(started);
  const entry = { stop: () => started.stop() };
  live.add(entry);
  started.stop = (graceMs?: number) => stop(graceMs).finally(() => live.delete(entry));
  return started;
}

/** Stops everything started and not yet stopped, newest first. */
export async function stopEverything(): Promise<void> {
  for (const entry of [...live].reverse()) await entry.stop();
}

function terminated(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export async function startProcess(name: string, command: string, args: string[], options: ProcessOptions): Promise<OwnedProcess> {
  const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  let tail = '';
  const record = (chunk: Buffer) => {
    log.write(chunk);
    tail = (tail + chunk.toString()).slice(-TAIL_BYTES);
  };
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => log.end());
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new Error(`could not start ${name} (${command}): ${error.message}`)));
  });
  const signal = async (sig: NodeJS.Signals, graceMs: number) => {
    if (terminated(child)) return;
    child.kill(sig);
    const timer = setTimeout(() => !terminated(child) && child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return track({
    name,
    pid: child.pid as number,
    logFile: options.logFile,
    tail: () => tail,
    running: () => !terminated(child),
    exited,
    stop: (graceMs = 10_000) => signal('SIGTERM', graceMs),
    kill: () => signal('SIGKILL', 0),
  });
}

/** Polls `check` until it answers true; fails with `what` and the processes' last output. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, watched: OwnedProcess[] = []): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = watched.find((p) => !p.running());
    if (dead) throw new Error(`${dead.name} exited while waiting for ${what}:\n${dead.tail()}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s${watched.map((p) => `\n--- ${p.name} (${p.logFile}):\n${p.tail().slice(-4000)}`).join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
