// Test tools built from their official Go modules (the control plane in test/controlplane/, helm in
// test/helm/), once per machine, into a cache outside the repository keyed by everything that
// decides the binaries: go.mod, go.sum, the module's Go sources and the Go toolchain. The first build
// takes minutes; later runs find the binaries. Nothing is downloaded but Go modules (the machine's
// own Go builds, GOTOOLCHAIN=local), and no binary is committed.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';

export interface GoBuild {
  /** The Go module's folder (go.mod, go.sum and any Go sources of its own). */
  moduleDir: string;
  /** The tool, and its folder in the cache (e.g. helm). */
  tool: string;
  /** Which versions, the start of its cache entry's name (e.g. v3.22.0). */
  version: string;
  /** Command name → the package `go build` makes it from. */
  commands: Record<string, string>;
  ldflags: string;
  /** What is being built, for the progress lines (with how long a first build takes). */
  description: string;
}

/** The cache root: $AWS_SERVICE_APISERVER_CACHE, else $XDG_CACHE_HOME or ~/.cache, /aws-service-apiserver. */
export function cacheRoot(): string {
  return process.env.AWS_SERVICE_APISERVER_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'aws-service-apiserver');
}

/** The version go.mod requires of `module`. */
export function requiredVersion(moduleDir: string, module: string): string {
  const goMod = readFileSync(join(moduleDir, 'go.mod'), 'utf8');
  const match = new RegExp(`^(?:require\\s+|\\s+)${module.replace(/[./]/g, '\\$&')}\\s+(v\\S+)`, 'm').exec(goMod);
  if (!match) throw new Error(`${join(moduleDir, 'go.mod')} does not require ${module}`);
  return match[1];
}

/** The go command builds with this machine's Go and the versions go.sum pins; it fetches no toolchain. */
function goEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly -buildvcs=false' };
}

function goVersion(): string {
  try {
    return execFileSync('go', ['version'], { encoding: 'utf8', env: goEnvironment() }).trim();
  } catch (error) {
    throw new Error(`the Go toolchain builds the test tools (control plane, helm) and was not found on PATH: ${(error as Error).message}`, { cause: error });
  }
}

function cacheKey(moduleDir: string): string {
  const goSources = readdirSync(moduleDir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.go'))
    .map((entry) => join(entry.parentPath, entry.name));
  const hash = createHash('sha256');
  for (const file of [join(moduleDir, 'go.mod'), join(moduleDir, 'go.sum'), ...goSources.sort()]) {
    hash.update(relative(moduleDir, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.update(goVersion()).digest('hex').slice(0, 16);
}

function runGoBuild(build: GoBuild, outDir: string, log: (line: string) => void): Promise<void> {
  const args = ['build', '-trimpath', '-ldflags', build.ldflags, '-o', `${outDir}/`, ...Object.values(build.commands)];
  return new Promise((resolve, reject) => {
    // A process group of its own, so that the go command and the compilers it runs stop together
    // when this process exits (a signal during start-up), instead of building on as orphans.
    const child = spawn('go', args, { cwd: build.moduleDir, env: goEnvironment(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const stopBuild = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    process.once('exit', stopBuild);
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const ticker = setInterval(() => log(`  ... still building ${build.tool} ${build.version}`), 60_000);
    child.once('error', (error) => {
      clearInterval(ticker);
      process.off('exit', stopBuild);
      reject(new Error(`could not run go to build ${build.tool} ${build.version}: ${error.message}`));
    });
    child.once('close', (code) => {
      clearInterval(ticker);
      process.off('exit', stopBuild);
      if (code === 0) resolve();
      else reject(new Error(`go build of ${build.tool} ${build.version} failed (exit ${code}):\n${output}`));
    });
  });
}

/**
 * The folder holding the built commands, built first when this machine has none for the current
 * module. Concurrent callers may both build; each builds into a folder of its own and the first
 * rename wins.
 */
export async function ensureGoBinaries(build: GoBuild, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<string> {
  const target = join(cacheRoot(), build.tool, `${build.version}-${cacheKey(build.moduleDir)}`);
  const complete = () => Object.keys(build.commands).every((command) => existsSync(join(target, command)));
  if (complete()) return target;
  mkdirSync(dirname(target), { recursive: true });
  const building = mkdtempSync(`${target}.building-`);
  const started = Date.now();
  log(`Building ${build.description} from Go modules into ${target}.`);
  try {
    await runGoBuild(build, building, log);
    try {
      renameSync(building, target);
    } catch (error) {
      if (!complete()) throw error; // else another build finished first: use its binaries
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  log(`Built ${build.tool} ${build.version} in ${Math.round((Date.now() - started) / 1000)} s.`);
  return target;
}
