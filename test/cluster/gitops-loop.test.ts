// A GitOps loop on the real control plane: Flux and Argo CD apply the same manifests server-side every
// few minutes. Here two field managers apply every example (all kinds) server-side, then do it again
// twenty times: after the first round nothing may change anywhere — no AWS write call (the server's
// aws_api_calls_total), no new resourceVersion, no watch event — and client-side apply says unchanged.
import { stringify } from 'yaml';
import { KINDS } from '../../src/kinds/index.js';
import { serverAwsWriteCalls } from '../support/differential/observe.js';
import { exampleManifests } from '../support/differential/scenarios.js';
import { startTestCluster, type TestCluster } from '../support/real-cluster.js';
import { openWatch, type OpenWatch } from '../support/watch.js';

const NAMESPACE = 'gitops';
const MANAGERS = ['flux-kustomize-controller', 'argocd-controller'];
const ROUNDS = 20;
const TOKEN = 'gitops-watcher-token';

let t: TestCluster;
const manifests = exampleManifests();
const file = () => manifests.map((m) => stringify({ ...m, metadata: { ...m.metadata, namespace: NAMESPACE } })).join('---\n');

beforeAll(async () => {
  t = await startTestCluster({ clusterName: 'gitops', tokens: { [TOKEN]: { username: 'gitops-watcher', groups: ['system:masters'] } } });
  await t.kubectl(null).ok(['create', 'namespace', NAMESPACE]);
});

afterAll(async () => {
  await t?.stop();
});

async function applyServerSide(manager: string): Promise<void> {
  await t.kubectl(NAMESPACE).ok(['apply', '--server-side', `--field-manager=${manager}`, '-f', '-'], { input: file() });
}

/** Every object's resourceVersion, by kind/name. */
async function versions(): Promise<Record<string, string>> {
  const list = await t.kubectl(NAMESPACE).json<{ items: { kind: string; metadata: { name: string; resourceVersion: string } }[] }>(['get', 'aws']);
  return Object.fromEntries(list.items.map((o) => [`${o.kind}/${o.metadata.name}`, o.metadata.resourceVersion]));
}

test('the same manifests applied server-side twenty times by two managers: no AWS write, no new resourceVersion, no watch event', async () => {
  // The first round creates everything in one pass, as a GitOps tool would: subscriptions after their
  // topic and queue (they cannot wait), stacks before the template and outputs ConfigMap they name (they wait).
  expect(manifests.findIndex((m) => m.kind === 'CloudFormationStack')).toBeLessThan(manifests.findIndex((m) => m.kind === 'CloudFormationTemplate'));
  for (const manager of MANAGERS) await applyServerSide(manager);
  await t.kubectl(NAMESPACE).ok(['wait', '--for=condition=Ready', '--timeout=90s', ...manifests.map((m) => `${m.kind.toLowerCase()}/${m.metadata.name}`)]);
  const before = await versions();
  expect(Object.keys(before)).toHaveLength(manifests.length);

  // One watch per kind, from its list's resourceVersion: every later change would be an event.
  const plurals = KINDS.filter((k) => manifests.some((m) => m.kind === k.names.kind)).map((k) => k.names.plural);
  const collection = (plural: string) => `/apis/service-operator.aws/v1alpha1/namespaces/${NAMESPACE}/${plural}`;
  const watches: OpenWatch[] = await Promise.all(
    plurals.map(async (plural) => {
      const list = await t.get<{ metadata: { resourceVersion: string } }>(collection(plural));
      return openWatch({ url: t.cluster.cp.url, ca: t.cluster.cp.pki.ca.certPem, token: TOKEN }, `${collection(plural)}?watch=1&resourceVersion=${list?.metadata.resourceVersion ?? ''}`);
    }),
  );
  expect(watches.map((w) => w.status)).toEqual(plurals.map(() => 200));
  const writesBefore = await serverAwsWriteCalls(t);
  try {
    for (let round = 0; round < ROUNDS; round++) for (const manager of MANAGERS) await applyServerSide(manager);
    expect(await serverAwsWriteCalls(t)).toBe(writesBefore);
    expect(await versions()).toEqual(before);
    expect(watches.flatMap((w) => w.events.map((e) => `${e.type} ${e.object.metadata?.name ?? ''}`))).toEqual([]);
  } finally {
    for (const watch of watches) watch.close();
  }
  // Forty kubectl runs of every example through kube-apiserver on shared cores: a bound, not a measurement.
}, 900_000);

test('client-side apply of every example, after the server-side rounds, says unchanged', async () => {
  const out = await t.kubectl(NAMESPACE).ok(['apply', '-f', '-'], { input: file() });
  // The first client-side apply after server-side ones records the last-applied annotation once.
  expect(out.split('\n').filter(Boolean).every((line) => /(configured|unchanged)$/.test(line))).toBe(true);
  const again = await t.kubectl(NAMESPACE).ok(['apply', '-f', '-'], { input: file() });
  expect(again.split('\n').filter(Boolean)).toEqual(manifests.map((m) => `${m.kind.toLowerCase()}.service-operator.aws/${m.metadata.name} unchanged`));
});
