// What a write does in the cluster besides AWS, with the server in cluster mode on the real control
// plane: the outputs ConfigMap (the seed article's `configmaps "dynamo-table" not found`), its
// ownerReference and updates, a ConfigMap of that name that is not ours, and namespace lifecycle
// admission, and Foreground and Orphan deletions finished by kube's garbage collector. (A ConfigMap
// that cannot be written at all is in test/e2e/kube-faults.test.ts.)
import { stringify } from 'yaml';
import { SERVER_USER } from '../controlplane/aggregated-server.js';
import { tableNames } from '../support/aws.js';
import { eventually } from '../support/eventually.js';
import { auditEvents, startTestCluster, type TestCluster } from '../support/real-cluster.js';

const ADMIN = { user: 'platform-admin', groups: ['system:masters'] };
const collection = (namespace: string) => `/apis/service-operator.aws/v1alpha1/namespaces/${namespace}/dynamodbs`;
const configMapPath = (namespace: string, name: string) => `/api/v1/namespaces/${namespace}/configmaps/${name}`;

/** The seed article's table, unchanged apart from the namespace. */
function seedTable(namespace: string, name = 'dynamo-table') {
  return {
    apiVersion: 'service-operator.aws/v1alpha1',
    kind: 'DynamoDB',
    metadata: { name, namespace },
    spec: { hashAttribute: { name: 'name', type: 'S' }, rangeAttribute: { name: 'created_at', type: 'S' }, readCapacityUnits: 5, writeCapacityUnits: 5 },
  };
}

interface CreatedObject {
  metadata: { uid: string; name: string };
  additionalResources?: { configMaps: string[] };
  output: Record<string, string>;
}

interface ConfigMap {
  metadata: { resourceVersion: string; labels?: Record<string, string>; ownerReferences?: unknown[] };
  data?: Record<string, string>;
}

let cluster: TestCluster;
const configMap = (namespace: string, name: string) => cluster.get<ConfigMap>(configMapPath(namespace, name));

beforeAll(async () => {
  cluster = await startTestCluster({ clusterName: 'outputs' });
  await cluster.kubectl(null).ok(['create', 'namespace', 'apps']);
  // A namespace that stays Terminating: a ConfigMap in it carries a finalizer nobody removes.
  const held = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: 'closing', finalizers: ['example.com/hold'] } };
  await cluster.kubectl(null).ok(['apply', '-f', '-'], { input: `${stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'closing' } })}---\n${stringify(held)}` });
  await cluster.kubectl(null).ok(['delete', 'namespace', 'closing', '--wait=false']);
});

afterAll(async () => {
  await cluster?.stop();
});

describe('the outputs ConfigMap', () => {
  let created: CreatedObject;

  test('a create writes it: named like the object, the original keys, labelled, owned by the object', async () => {
    const response = await cluster.proxied(ADMIN, collection('apps'), { method: 'POST', body: seedTable('apps') });
    expect(response.status).toBe(201);
    expect(response.headers.warning).toBeUndefined();
    created = response.json<CreatedObject>();
    expect(created.additionalResources).toEqual({ configMaps: ['dynamo-table'] });

    const written = await configMap('apps', 'dynamo-table');
    expect(written?.data).toEqual({ tableName: 'outputs.apps.dynamo-table', tableARN: created.output.tableARN, region: 'us-east-1' });
    expect(created.output.tableARN).toMatch(/^arn:aws:dynamodb:us-east-1:\d+:table\/outputs\.apps\.dynamo-table$/);
    expect(written?.metadata).toMatchObject({
      labels: { 'app.kubernetes.io/managed-by': 'aws-service-apiserver', 'service-operator.aws/kind': 'DynamoDB' },
      ownerReferences: [{ apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', name: 'dynamo-table', uid: created.metadata.uid, controller: true }],
    });
  });

  test('additionalResources is part of every rendering (get and list alike)', async () => {
    const got = (await cluster.proxied(ADMIN, `${collection('apps')}/dynamo-table`)).json<CreatedObject>();
    expect(got.additionalResources).toEqual({ configMaps: ['dynamo-table'] });
    const listed = (await cluster.proxied(ADMIN, collection('apps'))).json<{ items: CreatedObject[] }>().items;
    expect(listed.map((item) => item.additionalResources)).toEqual([{ configMaps: ['dynamo-table'] }]);
  });

  test('a write puts back outputs somebody changed, and leaves an up-to-date ConfigMap alone', async () => {
    await cluster.kubectl('apps').ok(['patch', 'configmap', 'dynamo-table', '--type=merge', '-p', '{"data":{"tableName":"somebody-else"}}']);
    const patched = await cluster.proxied(ADMIN, `${collection('apps')}/dynamo-table`, {
      method: 'PATCH',
      body: { metadata: { labels: { app: 'frontend' } } },
      contentType: 'application/merge-patch+json',
    });
    expect(patched.status).toBe(200);
    expect((await configMap('apps', 'dynamo-table'))?.data).toEqual({ tableName: 'outputs.apps.dynamo-table', tableARN: created.output.tableARN, region: 'us-east-1' });

    const version = (await configMap('apps', 'dynamo-table'))?.metadata.resourceVersion;
    const again = await cluster.proxied(ADMIN, `${collection('apps')}/dynamo-table`, {
      method: 'PATCH',
      body: { spec: { readCapacityUnits: 6 } },
      contentType: 'application/merge-patch+json',
    });
    expect(again.status).toBe(200);
    expect((await configMap('apps', 'dynamo-table'))?.metadata.resourceVersion).toBe(version);
  });

  test('an object deleted and made again takes the ConfigMap over (new owner uid)', async () => {
    expect((await cluster.proxied(ADMIN, `${collection('apps')}/dynamo-table`, { method: 'DELETE' })).status).toBe(200);
    const recreated = await cluster.proxied(ADMIN, collection('apps'), { method: 'POST', body: seedTable('apps') });
    expect(recreated.status).toBe(201);
    const uid = recreated.json<CreatedObject>().metadata.uid;
    expect(uid).not.toBe(created.metadata.uid);
    expect((await configMap('apps', 'dynamo-table'))?.metadata.ownerReferences).toEqual([
      { apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', name: 'dynamo-table', uid, controller: true },
    ]);
  });

  test("a ConfigMap of that name that is not ours is left alone; the write succeeds with a Warning and an Event", async () => {
    await cluster.kubectl('apps').ok(['create', 'configmap', 'settings', '--from-literal=mine=yes']);
    const response = await cluster.proxied(ADMIN, collection('apps'), { method: 'POST', body: seedTable('apps', 'settings') });
    expect(response.status).toBe(201);
    expect(String(response.headers.warning)).toContain('ConfigMap apps/settings already exists and is not managed by aws-service-apiserver');
    expect((await configMap('apps', 'settings'))?.data).toEqual({ mine: 'yes' });
    const events = (await cluster.get<{ items: unknown[] }>('/api/v1/namespaces/apps/events'))?.items;
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Warning', reason: 'OutputsConfigMapFailed', involvedObject: expect.objectContaining({ kind: 'DynamoDB', name: 'settings', uid: response.json<CreatedObject>().metadata.uid }) }),
      ]),
    );
  });

});

describe('deletion propagation, finished by the garbage collector', () => {
  const create = async (name: string) => {
    expect((await cluster.proxied(ADMIN, collection('apps'), { method: 'POST', body: seedTable('apps', name) })).status).toBe(201);
    expect(await configMap('apps', name)).toBeDefined();
  };

  test('Foreground: the object waits with the foregroundDeletion finalizer until its ConfigMap is gone, then the table goes', async () => {
    await create('foreground');
    const response = await cluster.proxied(ADMIN, `${collection('apps')}/foreground`, { method: 'DELETE', body: { propagationPolicy: 'Foreground' } });
    expect(response.status).toBe(200);
    expect(response.json<{ metadata: { deletionTimestamp?: string; finalizers?: string[] } }>().metadata).toMatchObject({ deletionTimestamp: expect.any(String), finalizers: ['foregroundDeletion'] });
    await eventually('the garbage collector to finish the foreground deletion', async () => (await cluster.get(`${collection('apps')}/foreground`)) === undefined, { timeoutMs: 90_000 });
    expect(await configMap('apps', 'foreground')).toBeUndefined();
    expect(await tableNames(cluster.aws)).not.toContain('outputs.apps.foreground');
  });

  test('Orphan: the object and its table go, the ConfigMap stays without its owner reference', async () => {
    await create('orphaned');
    expect((await cluster.kubectl('apps').run(['delete', 'dynamodb.service-operator.aws', 'orphaned', '--cascade=orphan', '--timeout=90s'])).code).toBe(0);
    expect(await tableNames(cluster.aws)).not.toContain('outputs.apps.orphaned');
    const kept = await configMap('apps', 'orphaned');
    expect(kept?.data?.tableName).toBe('outputs.apps.orphaned');
    expect(kept?.metadata.ownerReferences).toBeUndefined();
  });
});

describe('namespace lifecycle admission', () => {
  test('creating in a namespace that does not exist: 404 namespaces "ghost" not found, nothing in AWS', async () => {
    const response = await cluster.proxied(ADMIN, collection('ghost'), { method: 'POST', body: seedTable('ghost') });
    expect(response.status).toBe(404);
    expect(response.json()).toMatchObject({ reason: 'NotFound', message: 'namespaces "ghost" not found', details: { name: 'ghost', kind: 'namespaces' } });
    expect(await tableNames(cluster.aws)).not.toContain('outputs.ghost.dynamo-table');
  });

  test('creating in a terminating namespace: 403 with the NamespaceTerminating cause, dry runs included', async () => {
    for (const query of ['', '?dryRun=All']) {
      const response = await cluster.proxied(ADMIN, `${collection('closing')}${query}`, { method: 'POST', body: seedTable('closing') });
      expect(response.status).toBe(403);
      expect(response.json()).toMatchObject({
        reason: 'Forbidden',
        message: 'dynamodbs.service-operator.aws "dynamo-table" is forbidden: unable to create new content in namespace closing because it is being terminated',
        details: { causes: [{ reason: 'NamespaceTerminating', message: 'namespace closing is being terminated', field: 'metadata.namespace' }] },
      });
    }
    expect(await tableNames(cluster.aws)).not.toContain('outputs.closing.dynamo-table');
  });

  test("the server's own calls carry its service-account identity", () => {
    const calls = auditEvents(cluster.cluster.cp).filter((e) => e.user.username === SERVER_USER);
    expect(calls.some((c) => c.verb === 'create' && c.objectRef?.resource === 'configmaps' && c.objectRef.namespace === 'apps')).toBe(true);
    expect(calls.some((c) => c.verb === 'get' && c.objectRef?.resource === 'namespaces' && c.objectRef.name === 'ghost' && c.responseStatus?.code === 404)).toBe(true);
  });
});
