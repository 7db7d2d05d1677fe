// Builds the test control plane (etcd, kube-apiserver, kube-controller-manager) from the Go module in
// this folder, once, into a cache outside the repository keyed by everything that decides the
// binaries: go.mod, go.sum, the Go sources here and the Go toolchain. A fresh machine builds on the
// first run (several minutes on 2 cores); later runs find the binaries and start in seconds.
// Nothing is downloaded but Go modules, and no binary is committed.
//
// `node dist/test/controlplane/build.js` (the first step of `npm test`) builds if needed and says where.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { isMain, repoRoot } from './paths.js';

export const COMMANDS = ['etcd', 'kube-apiserver', 'kube-controller-manager'] as const;
export type Command = (typeof COMMANDS)[number];

const PACKAGES: Record<Command, string> = {
  etcd: './cmd/etcd',
  'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver',
  'kube-controller-manager': 'k8s.io/kubernetes/cmd/kube-controller-manager',
};

export interface ControlPlaneBinaries {
  dir: string;
  kubernetesVersion: string;
  etcdVersion: string;
  path(command: Command): string;
}

export function moduleDir(): string {
  return join(repoRoot(), 'test', 'controlplane');
}

/** The cache root: $AWS_SERVICE_APISERVER_CACHE, else $XDG_CACHE_HOME or ~/.cache, /aws-service-apiserver. */
export function cacheRoot(): string {
  return process.env.AWS_SERVICE_APISERVER_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'aws-service-apiserver');
}

function requiredVersion(goMod: string, module: string): string {
  const match = new RegExp(`^\\s*${module.replace(/[./]/g, '\\$&')}\\s+(v\\S+)`, 'm').exec(goMod);
  if (!match) throw new Error(`test/controlplane/go.mod does not require ${module}`);
  return match[1];
}

function goSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.go'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function goVersion(): string {
  try {
    return execFileSync('go', ['version'], { encoding: 'utf8', env: goEnvironment() }).trim();
  } catch (error) {
    throw new Error(`the Go toolchain is needed to build the test control plane and was not found on PATH (${(error as Error).message})`);
  }
}

/** The go command never fetches another toolchain: the machine's Go builds what go.mod names. */
function goEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly -buildvcs=false' };
}

function cacheKey(dir: string): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum'].map((name) => join(dir, name)).concat(goSources(dir))) {
    hash.update(relative(dir, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  hash.update(goVersion());
  return hash.digest('hex').slice(0, 16);
}

function binariesIn(dir: string, kubernetesVersion: string, etcdVersion: string): ControlPlaneBinaries {
  return { dir, kubernetesVersion, etcdVersion, path: (command) => join(dir, command) };
}

/** What `go build` needs to stamp /version with the release, as Kubernetes' own build does. */
function versionFlags(kubernetesVersion: string): string {
  const [major, minor] = kubernetesVersion.replace(/^v/, '').split('.');
  const stamp = (pkg: string) => [`-X ${pkg}.gitVersion=${kubernetesVersion}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`, `-X ${pkg}.gitTreeState=clean`];
  return ['-s', '-w', ...stamp('k8s.io/component-base/version'), ...stamp('k8s.io/client-go/pkg/version')].join(' ');
}

function runGoBuild(dir: string, outDir: string, kubernetesVersion: string, log: (line: string) => void): Promise<void> {
  const args = ['build', '-trimpath', '-ldflags', versionFlags(kubernetesVersion), '-o', `${outDir}/`, ...COMMANDS.map((c) => PACKAGES[c])];
  return new Promise((resolve, reject) => {
    const child = spawn('go', args, { cwd: dir, env: goEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const ticker = setInterval(() => log('  ... still building'), 60_000);
    child.once('error', (error) => {
      clearInterval(ticker);
      reject(error);
    });
    child.once('close', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`go build of the control plane failed (exit ${code}):\n${output}`));
    });
  });
}

/**
 * The cached control plane binaries, built first if this machine has none for the current sources.
 * Concurrent callers may both build; each builds into its own folder and the first rename wins.
 */
export async function ensureControlPlane(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<ControlPlaneBinaries> {
  const dir = moduleDir();
  const goMod = readFileSync(join(dir, 'go.mod'), 'utf8');
  const kubernetesVersion = requiredVersion(goMod, 'k8s.io/kubernetes');
  const etcdVersion = requiredVersion(goMod, 'go.etcd.io/etcd/server/v3');
  const target = join(cacheRoot(), 'controlplane', `kubernetes-${kubernetesVersion}-etcd-${etcdVersion}-${cacheKey(dir)}`);
  if (COMMANDS.every((command) => existsSync(join(target, command)))) return binariesIn(target, kubernetesVersion, etcdVersion);

  mkdirSync(dirname(target), { recursive: true });
  const building = mkdtempSync(`${target}.building-`);
  const started = Date.now();
  log(`Building the test control plane (kube-apiserver and kube-controller-manager ${kubernetesVersion}, etcd ${etcdVersion}) from Go modules into ${target}; the first build takes 10-20 minutes on 2 cores, later runs reuse it.`);
  try {
    await runGoBuild(dir, building, kubernetesVersion, log);
    try {
      renameSync(building, target);
    } catch (error) {
      // Another build finished first: use its binaries.
      if (!COMMANDS.every((command) => existsSync(join(target, command)))) throw error;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  log(`Built the test control plane in ${Math.round((Date.now() - started) / 1000)} s.`);
  return binariesIn(target, kubernetesVersion, etcdVersion);
}

if (isMain(import.meta.url)) {
  ensureControlPlane().then(
    (binaries) => process.stderr.write(`Test control plane: ${binaries.dir}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
