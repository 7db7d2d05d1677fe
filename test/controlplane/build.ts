// Builds the test control plane (etcd, kube-apiserver, kube-controller-manager) from the Go module in
// this folder, once per machine, into ~/.cache/aws-service-apiserver/controlplane/ (see
// test/support/go-binaries.ts). A fresh machine builds on the first run (about 15 minutes on 2
// cores); later runs find the binaries and start in seconds.
//
// `node dist/test/controlplane/build.js` (the first step of `npm test`) builds if needed and says where.
import { join } from 'node:path';
import { ensureGoBinaries, requiredVersion } from '../support/go-binaries.js';
import { isMain, repoRoot } from '../support/paths.js';

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

/** What `go build` needs to stamp /version with the release, as Kubernetes' own build does. */
function versionFlags(kubernetesVersion: string): string {
  const [major, minor] = kubernetesVersion.replace(/^v/, '').split('.');
  const stamp = (pkg: string) => [`-X ${pkg}.gitVersion=${kubernetesVersion}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`, `-X ${pkg}.gitTreeState=clean`];
  return ['-s', '-w', ...stamp('k8s.io/component-base/version'), ...stamp('k8s.io/client-go/pkg/version')].join(' ');
}

/** The cached control plane binaries, built first if this machine has none for the current sources. */
export async function ensureControlPlane(log?: (line: string) => void): Promise<ControlPlaneBinaries> {
  const moduleDir = join(repoRoot(), 'test', 'controlplane');
  const kubernetesVersion = requiredVersion(moduleDir, 'k8s.io/kubernetes');
  const etcdVersion = requiredVersion(moduleDir, 'go.etcd.io/etcd/server/v3');
  const dir = await ensureGoBinaries(
    {
      moduleDir,
      tool: 'controlplane',
      version: `kubernetes-${kubernetesVersion}-etcd-${etcdVersion}`,
      commands: PACKAGES,
      ldflags: versionFlags(kubernetesVersion),
      description: `the test control plane (kube-apiserver and kube-controller-manager ${kubernetesVersion}, etcd ${etcdVersion}; the first build takes about 15 minutes on 2 cores, later runs reuse it)`,
    },
    log,
  );
  return { dir, kubernetesVersion, etcdVersion, path: (command) => join(dir, command) };
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
