// `npm run local-cluster -- --kubeconfig PATH` as a user runs it: it comes up, the kubeconfig it
// writes reaches kube-apiserver, the APIService is Available, the seed article's app applies and gets
// its ConfigMap, and SIGTERM stops every process it started.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/eventually.js';
import { Kubectl } from '../support/kubectl.js';

/** The processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        // Field 4 of /proc/<pid>/stat is the parent; the command name (field 2) may hold spaces, so split after it.
        return Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]) === pid;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('it starts, serves the seed app through kube-apiserver, and SIGTERM stops everything it started', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'local-cluster-cli-'));
  const kubeconfig = join(dir, 'admin.kubeconfig');
  // The machine's caches (Go's and the built control plane), none of its AWS settings (--local-aws).
  const caches = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => /^(HOME|PATH|XDG_CACHE_HOME|AWS_SERVICE_APISERVER_CACHE|GOPATH|GOMODCACHE|GOCACHE)$/.test(entry[0]) && entry[1] !== undefined));
  const cli = spawn(process.execPath, [join('dist', 'test', 'controlplane', 'local-cluster.js'), '--kubeconfig', kubeconfig, '--local-aws'], { env: caches, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
  try {
    await eventually('the local cluster to be up', () => {
      if (cli.exitCode !== null) throw new Error(`local-cluster exited ${cli.exitCode}:\n${stderr}`);
      return stderr.includes('Ctrl-C stops everything.');
    }, { timeoutMs: 180_000 });
    expect(stderr).toContain(`export KUBECONFIG=${kubeconfig}`);

    const kubectl = new Kubectl(kubeconfig);
    expect(await kubectl.ok(['get', 'apiservice', 'v1alpha1.service-operator.aws'])).toMatch(/v1alpha1\.service-operator\.aws\s+aws-service-apiserver\/aws-service-apiserver\s+True/);
    await kubectl.ok(['apply', '-f', 'examples/dynamodb-app.yaml']);
    expect((await kubectl.json<{ data: Record<string, string> }>(['get', 'configmap', 'dynamo-table'])).data.tableName).toBe('local-cluster.default.dynamo-table');

    const started = childrenOf(cli.pid as number);
    // etcd, kube-apiserver, kube-controller-manager, moto_server and the server.
    expect(started.length).toBeGreaterThanOrEqual(5);
    cli.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(started.filter(alive)).toEqual([]);
  } finally {
    if (cli.exitCode === null) cli.kill('SIGTERM');
    await exited;
  }
}, 300_000);
