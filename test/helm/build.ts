// The real helm for the chart tests, built from its official Go module (go.mod in this folder) once,
// into a cache outside the repository keyed by go.mod, go.sum, the Go sources here and `go version`:
// ~/.cache/aws-service-apiserver/helm/<key>/helm ($AWS_SERVICE_APISERVER_CACHE or $XDG_CACHE_HOME
// move it). The first build takes minutes on 2 cores; later runs find the binary. Nothing is
// downloaded but Go modules, and no binary is committed.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const MODULE_DIR = join(process.cwd(), 'test', 'helm');

function cacheRoot(): string {
  return process.env.AWS_SERVICE_APISERVER_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'aws-service-apiserver');
}

/** The go command builds with this machine's Go and the versions go.sum pins; it fetches no toolchain. */
function goEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly -buildvcs=false' };
}

function helmVersion(goMod: string): string {
  const match = /^require helm\.sh\/helm\/v3 (v\S+)/m.exec(goMod);
  if (!match) throw new Error('test/helm/go.mod does not require helm.sh/helm/v3');
  return match[1];
}

function cacheKey(): string {
  const hash = createHash('sha256');
  const sources = readdirSync(MODULE_DIR).filter((name) => name.endsWith('.go')).sort();
  for (const name of ['go.mod', 'go.sum', ...sources]) hash.update(name).update('\0').update(readFileSync(join(MODULE_DIR, name))).update('\0');
  hash.update(execFileSync('go', ['version'], { encoding: 'utf8', env: goEnvironment() }).trim());
  return hash.digest('hex').slice(0, 16);
}

function goBuild(outFile: string, version: string, log: (line: string) => void): Promise<void> {
  const ldflags = `-s -w -X helm.sh/helm/v3/internal/version.version=${version}`;
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['build', '-trimpath', '-ldflags', ldflags, '-o', outFile, 'helm.sh/helm/v3/cmd/helm'], { cwd: MODULE_DIR, env: goEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const ticker = setInterval(() => log('  ... still building helm'), 60_000);
    child.once('error', (error) => {
      clearInterval(ticker);
      reject(new Error(`could not run go (the Go toolchain builds helm for the chart tests): ${error.message}`));
    });
    child.once('close', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`go build of helm failed (exit ${code}):\n${output}`));
    });
  });
}

/**
 * The path of the cached helm binary, built first when this machine has none for the current module.
 * Concurrent callers may both build; each builds into a folder of its own and the first rename wins.
 */
export async function ensureHelm(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<string> {
  const version = helmVersion(readFileSync(join(MODULE_DIR, 'go.mod'), 'utf8'));
  const target = join(cacheRoot(), 'helm', `${version}-${cacheKey()}`);
  const binary = join(target, 'helm');
  if (existsSync(binary)) return binary;
  mkdirSync(dirname(target), { recursive: true });
  const building = mkdtempSync(`${target}.building-`);
  try {
    log(`building helm ${version} from its Go module into ${target} (once per machine; minutes the first time)`);
    await goBuild(join(building, 'helm'), version, log);
    try {
      renameSync(building, target);
    } catch (error) {
      if (!existsSync(binary)) throw error; // another build got there first
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return binary;
}
