// Two replicas against one AWS account and one cluster: the Lease makes one of them the leader, which
// labels its pod for the Service and alone serves resources; the other is Ready but answers 503. When
// the leader stops it hands the Lease over, the other replica takes over, and resourceVersions the
// old leader issued are answered 410 so clients relist instead of missing changes.
import { startServer, type ServerProcess } from '../support/processes.js';
import { https } from '../support/https.js';
import { identityHeaders, startClusterEnvironment, type ClusterEnvironment } from '../support/cluster.js';

const ADMIN = { user: 'platform-admin', groups: ['system:masters'] };
const TABLES = '/apis/service-operator.aws/v1alpha1/namespaces/apps/dynamodbs';
const LEADER_LABEL = 'service-operator.aws/leader';
const FAST_ELECTION = ['--leader-elect-lease-duration', '2', '--leader-elect-renew-deadline', '1.5', '--leader-elect-retry-period', '0.2'];
const podPath = (name: string) => `/api/v1/namespaces/aws-service-apiserver/pods/${name}`;

let cluster: ClusterEnvironment;
let second: ServerProcess;

function call(server: ServerProcess, path: string, options: { method?: string; body?: unknown } = {}) {
  return https(`${server.url}${path}`, {
    method: options.method ?? 'GET',
    ca: server.ca,
    cert: cluster.frontProxy.certPem,
    key: cluster.frontProxy.keyPem,
    headers: { ...identityHeaders(ADMIN), ...(options.body ? { 'Content-Type': 'application/json' } : {}) },
    ...(options.body ? { body: JSON.stringify(options.body) } : {}),
  });
}

const leaderLabel = (pod: string) => (cluster.double.get(podPath(pod))?.metadata.labels as Record<string, string> | undefined)?.[LEADER_LABEL];

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  const pods = ['replica-a', 'replica-b'];
  cluster = await startClusterEnvironment({ clusterName: 'failover', namespaces: ['apps'], rules: [], extraArgs: FAST_ELECTION, env: { POD_NAME: 'replica-a' }, beforeStart: (double) => pods.forEach((name) => double.put(podPath(name), { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'aws-service-apiserver', labels: { app: 'x' } } })) });
  second = await startServer({ awsEndpoint: cluster.env.moto.endpoint, clusterName: 'failover', extraArgs: ['--kubeconfig', cluster.kubeconfig, ...FAST_ELECTION], env: { POD_NAME: 'replica-b' } });
});

afterAll(async () => {
  await second?.stop();
  await cluster?.stop();
});

test('the first replica leads and serves; the second is Ready but refuses resources with 503', async () => {
  await eventually(() => leaderLabel('replica-a') === 'true');
  expect(leaderLabel('replica-b')).toBeUndefined();
  expect((await call(cluster.env.server, TABLES, { method: 'POST', body: { apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', metadata: { name: 'ledger' }, spec: { hashAttribute: { name: 'id', type: 'S' } } } })).status).toBe(201);
  expect((await https(`${second.url}/readyz`, { ca: second.ca })).status).toBe(200);
  const refused = await call(second, TABLES);
  expect(refused.status).toBe(503);
  expect(refused.json()).toMatchObject({ reason: 'ServiceUnavailable', message: expect.stringContaining('this replica is not the leader') });
});

test('when the leader stops, the other replica takes over, and old resourceVersions are 410 there', async () => {
  const list = await call(cluster.env.server, TABLES);
  const oldVersion = list.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
  await cluster.env.server.stop();
  await eventually(async () => (await call(second, TABLES)).status === 200);
  await eventually(() => leaderLabel('replica-b') === 'true' && leaderLabel('replica-a') === undefined);

  const items = (await call(second, TABLES)).json<{ items: { metadata: { name: string } }[] }>().items;
  expect(items.map((i) => i.metadata.name)).toEqual(['ledger']);
  const stale = await call(second, `${TABLES}?watch=1&resourceVersion=${oldVersion}&timeoutSeconds=1`);
  expect(stale.body).toContain('"code":410');
});
