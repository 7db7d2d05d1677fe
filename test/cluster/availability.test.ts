// Availability on the real control plane, with two replicas electing a leader over the real Lease
// API. The leader labels its Pod and only it is reached (test/controlplane's front stands for the
// Service's endpoints). Stopping or killing the leader loses nothing: the other replica takes the
// Lease and serves every object and write. With every replica down, kube-apiserver marks the
// APIService Available=False, its other APIs keep working and namespace deletion reports
// NamespaceDeletionDiscoveryFailure; started again, everything recovers without touching kube-apiserver.
import { tableNames } from '../support/aws.js';
import { eventually } from '../support/eventually.js';
import { startTestCluster, type TestCluster } from '../support/real-cluster.js';
import { apiServiceAvailable, SERVER_NAMESPACE, waitForApiService, type Replica } from '../controlplane/aggregated-server.js';

let t: TestCluster;
const table = (name: string) => JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', metadata: { name }, spec: { hashAttribute: { name: 'id', type: 'S' } } });
const LONG = { timeoutMs: 60_000 };
const ADMIN = { user: 'platform-admin', groups: ['system:masters'] };
const TABLES = '/apis/service-operator.aws/v1alpha1/namespaces/default/dynamodbs';

async function leaseHolder(): Promise<string | undefined> {
  const lease = await t.kubectl(SERVER_NAMESPACE).json<{ spec: { holderIdentity?: string } }>(['get', 'lease', 'aws-service-apiserver']);
  return lease.spec.holderIdentity;
}

async function labelledPods(): Promise<string[]> {
  const out = await t.kubectl(SERVER_NAMESPACE).ok(['get', 'pods', '-l', 'service-operator.aws/leader=true', '-o', 'name']);
  return out.split('\n').filter(Boolean).map((line) => line.replace('pod/', ''));
}

/** The replica that leads once leadership has settled: it holds the Lease, alone carries the label, and the front routes to it. */
async function settledLeader(): Promise<Replica> {
  return eventually(
    'one replica to hold the Lease, carry the label and receive the traffic',
    async () => {
      const [holder, labelled, routed] = [await leaseHolder(), await labelledPods(), t.cluster.front.leader()];
      return labelled.length === 1 && holder?.startsWith(`${labelled[0]}_`) && routed?.name === labelled[0] && routed.process.running() ? routed : undefined;
    },
    LONG,
  );
}

/** kubectl apply through kube-apiserver, retried while a failover leaves no leader (503, refused connections). */
const applyEventually = (name: string) => eventually(`kubectl apply of ${name}`, async () => (await t.kubectl().run(['apply', '-f', '-'], { input: table(name) })).code === 0, LONG);

beforeAll(async () => {
  t = await startTestCluster({ clusterName: 'availability', replicas: 2 });
});

afterAll(async () => {
  await t?.stop();
});

test('one replica leads: it holds the Lease and labels its Pod; the other is Ready and refuses resources', async () => {
  const leader = await settledLeader();
  await t.kubectl().ok(['apply', '-f', '-'], { input: table('before-failover') });
  const follower = t.cluster.replicas.find((r) => r !== leader) as Replica;
  expect(follower.process.running()).toBe(true);
  expect((await labelledPods())).toEqual([leader.name]);
});

test('stopping the leader loses nothing: the other replica takes over and serves every object and new writes', async () => {
  const leader = await settledLeader();
  const oldVersion = (await t.proxied(ADMIN, TABLES)).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
  await leader.stop();
  const next = await settledLeader();
  expect(next).not.toBe(leader);
  // The new leader is the resourceVersion authority now: a watch from the old leader's version is
  // 410 Gone, so informers relist instead of missing what changed in between.
  const stale = await t.proxied(ADMIN, `${TABLES}?watch=1&resourceVersion=${oldVersion}&timeoutSeconds=1`);
  expect(stale.body).toContain('"code":410');
  await applyEventually('after-stop');
  const names = (await t.kubectl().ok(['get', 'dynamodbs', '-o', 'name'])).split('\n').filter(Boolean);
  expect(names.sort()).toEqual(['dynamodb.service-operator.aws/after-stop', 'dynamodb.service-operator.aws/before-failover']);
  await leader.start();
  expect(await settledLeader()).toBe(next);
});

test('a leader that crashes (SIGKILL) is replaced once its Lease expires', async () => {
  const leader = await settledLeader();
  await leader.process.kill();
  // Its Pod keeps the label it can no longer take off; the new leader takes it off as it labels its own.
  const next = await settledLeader();
  expect(next).not.toBe(leader);
  await applyEventually('after-crash');
  expect(await tableNames(t.aws)).toEqual(expect.arrayContaining(['availability.default.after-crash', 'availability.default.after-stop', 'availability.default.before-failover']));
  await leader.start();
});

test('every replica down: Available=False, other APIs work, namespace deletion waits on discovery; back up: all recovers', async () => {
  for (const replica of t.cluster.replicas) await replica.stop();
  await waitForApiService(t.cluster.cp, 'False', 120_000);
  const condition = await apiServiceAvailable(t.cluster.cp);
  expect(condition).toMatchObject({ status: 'False', reason: 'FailedDiscoveryCheck' });

  expect(await t.kubectl(null).ok(['get', 'namespaces', '-o', 'name'])).toContain('namespace/default');
  await t.kubectl().ok(['create', 'configmap', 'still-works', '--from-literal=a=b']);
  // kubectl's discovery no longer lists the group; a request for it is kube-apiserver's 503.
  expect((await t.kubectl().run(['get', 'dynamodbs'])).stderr).toContain('the server doesn\'t have a resource type "dynamodbs"');
  const raw = await t.kubectl().run(['get', '--raw', '/apis/service-operator.aws/v1alpha1/namespaces/default/dynamodbs']);
  expect(raw.stderr).toMatch(/ServiceUnavailable|the server is currently unable to handle the request/);

  await t.kubectl(null).ok(['create', 'namespace', 'leaving']);
  await t.kubectl(null).ok(['delete', 'namespace', 'leaving', '--wait=false']);
  const discovery = await eventually(
    'the namespace controller to report the discovery failure',
    async () => {
      const ns = await t.kubectl(null).json<{ status: { conditions?: { type: string; status: string; message: string }[] } }>(['get', 'namespace', 'leaving']);
      return ns.status.conditions?.find((c) => c.type === 'NamespaceDeletionDiscoveryFailure' && c.status === 'True');
    },
    LONG,
  );
  expect(discovery.message).toContain('service-operator.aws/v1alpha1');

  for (const replica of t.cluster.replicas) await replica.start();
  await waitForApiService(t.cluster.cp, 'True', 120_000);
  await eventually('the namespace to be deleted', async () => (await t.kubectl(null).run(['get', 'namespace', 'leaving'])).stderr.includes('NotFound'), { timeoutMs: 180_000 });
  const names = (await t.kubectl().ok(['get', 'dynamodbs', '-o', 'name'])).split('\n').filter(Boolean);
  expect(names).toHaveLength(3);
});
