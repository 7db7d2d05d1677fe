// What a write does in the cluster besides AWS, with the server in cluster mode against the
// kube-apiserver double: the outputs ConfigMap (the seed article's `configmaps "dynamo-table" not
// found`), its ownerReference and updates, what happens when it cannot be written, and namespace
// lifecycle admission.
import { tableNames } from '../support/aws.js';
import { startClusterEnvironment, type ClusterEnvironment } from '../support/cluster.js';

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

let cluster: ClusterEnvironment;

beforeAll(async () => {
  cluster = await startClusterEnvironment({ clusterName: 'outputs', namespaces: ['apps'], rules: [] });
  cluster.double.namespace('closing', 'Terminating');
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

    const configMap = cluster.double.get(configMapPath('apps', 'dynamo-table'));
    expect(configMap?.data).toEqual({ tableName: 'outputs.apps.dynamo-table', tableARN: created.output.tableARN, region: 'us-east-1' });
    expect(created.output.tableARN).toMatch(/^arn:aws:dynamodb:us-east-1:\d+:table\/outputs\.apps\.dynamo-table$/);
    expect(configMap?.metadata).toMatchObject({
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
    const path = configMapPath('apps', 'dynamo-table');
    const current = cluster.double.get(path);
    cluster.double.put(path, { ...current!, data: { tableName: 'somebody-else' } });
    const patched = await cluster.proxied(ADMIN, `${collection('apps')}/dynamo-table`, {
      method: 'PATCH',
      body: { metadata: { labels: { app: 'frontend' } } },
      contentType: 'application/merge-patch+json',
    });
    expect(patched.status).toBe(200);
    expect(cluster.double.get(path)?.data).toEqual({ tableName: 'outputs.apps.dynamo-table', tableARN: created.output.tableARN, region: 'us-east-1' });

    const version = cluster.double.get(path)?.metadata.resourceVersion;
    const again = await cluster.proxied(ADMIN, `${collection('apps')}/dynamo-table`, {
      method: 'PATCH',
      body: { spec: { readCapacityUnits: 6 } },
      contentType: 'application/merge-patch+json',
    });
    expect(again.status).toBe(200);
    expect(cluster.double.get(path)?.metadata.resourceVersion).toBe(version);
  });

  test('an object deleted and made again takes the ConfigMap over (new owner uid)', async () => {
    expect((await cluster.proxied(ADMIN, `${collection('apps')}/dynamo-table`, { method: 'DELETE' })).status).toBe(200);
    const recreated = await cluster.proxied(ADMIN, collection('apps'), { method: 'POST', body: seedTable('apps') });
    expect(recreated.status).toBe(201);
    const uid = recreated.json<CreatedObject>().metadata.uid;
    expect(uid).not.toBe(created.metadata.uid);
    expect(cluster.double.get(configMapPath('apps', 'dynamo-table'))?.metadata.ownerReferences).toEqual([
      { apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', name: 'dynamo-table', uid, controller: true },
    ]);
  });

  test("a ConfigMap of that name that is not ours is left alone; the write succeeds with a Warning and an Event", async () => {
    const path = configMapPath('apps', 'settings');
    cluster.double.put(path, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'apps' }, data: { mine: 'yes' } });
    const response = await cluster.proxied(ADMIN, collection('apps'), { method: 'POST', body: seedTable('apps', 'settings') });
    expect(response.status).toBe(201);
    expect(String(response.headers.warning)).toContain('ConfigMap apps/settings already exists and is not managed by aws-service-apiserver');
    expect(cluster.double.get(path)?.data).toEqual({ mine: 'yes' });
    const events = cluster.double.list('/api/v1/namespaces/apps/events/');
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Warning', reason: 'OutputsConfigMapFailed', involvedObject: expect.objectContaining({ kind: 'DynamoDB', name: 'settings', uid: response.json<CreatedObject>().metadata.uid }) }),
      ]),
    );
  });

  test('when the ConfigMap cannot be written, the AWS write stands and the response says so', async () => {
    cluster.double.failing.add(configMapPath('apps', 'unlucky'));
    try {
      const response = await cluster.proxied(ADMIN, collection('apps'), { method: 'POST', body: seedTable('apps', 'unlucky') });
      expect(response.status).toBe(201);
      expect(String(response.headers.warning)).toContain('the outputs ConfigMap apps/unlucky could not be written');
      expect(String(response.headers.warning)).toContain('the server keeps retrying');
      expect(await tableNames(cluster.env.aws)).toContain('outputs.apps.unlucky');
    } finally {
      cluster.double.failing.clear();
    }
  });
});

describe('namespace lifecycle admission', () => {
  test('creating in a namespace that does not exist: 404 namespaces "ghost" not found, nothing in AWS', async () => {
    const response = await cluster.proxied(ADMIN, collection('ghost'), { method: 'POST', body: seedTable('ghost') });
    expect(response.status).toBe(404);
    expect(response.json()).toMatchObject({ reason: 'NotFound', message: 'namespaces "ghost" not found', details: { name: 'ghost', kind: 'namespaces' } });
    expect(await tableNames(cluster.env.aws)).not.toContain('outputs.ghost.dynamo-table');
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
    expect(await tableNames(cluster.env.aws)).not.toContain('outputs.closing.dynamo-table');
  });

  test("the server's own calls carry its service-account identity (the double accepts no other)", () => {
    expect(cluster.double.calls.some((c) => c.method === 'POST' && c.path === '/api/v1/namespaces/apps/configmaps')).toBe(true);
    expect(cluster.double.calls.some((c) => c.method === 'GET' && c.path === '/api/v1/namespaces/ghost')).toBe(true);
  });
});
