// Team isolation through the aggregation layer's contract, on the real control plane: alice (team-a)
// and bob (team-b) may each do everything with DynamoDB objects in their own namespace and nothing in
// the other's (RBAC Roles). Every verb, both namespaces, both users, over real HTTPS straight to the
// server with kube-apiserver's front-proxy client certificate and X-Remote-* headers, decided by
// SubjectAccessReviews to the real kube-apiserver; a denied request leaves DynamoDB (moto) exactly
// as it was. Then who may authenticate how: forged headers, a client-CA certificate posing as the
// front proxy, client certificates of the cluster CA, bearer tokens through the real TokenReview.
// (A SubjectAccessReview that fails is in test/e2e/kube-faults.test.ts: the real one does not fail.)
import { DescribeTableCommand, DynamoDBClient, ListTagsOfResourceCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SERVING_NAME } from '../controlplane/aggregated-server.js';
import { writeKubeconfigFile } from '../controlplane/pki.js';
import { tableNames } from '../support/aws.js';
import type { ProxiedUser } from '../support/cluster.js';
import type { HttpsResponse } from '../support/https.js';
import { Kubectl } from '../support/kubectl.js';
import { startTestCluster, type TestCluster } from '../support/real-cluster.js';

const GROUP_PATH = '/apis/service-operator.aws/v1alpha1';
const USERS: Record<string, ProxiedUser & { namespace: string }> = {
  alice: { user: 'alice', groups: ['team-a-devs'], namespace: 'team-a' },
  bob: { user: 'bob', groups: ['team-b-devs'], namespace: 'team-b' },
};
const NAMESPACES = ['team-a', 'team-b'];
const VERBS = ['create', 'get', 'list', 'watch', 'patch', 'update', 'delete', 'deletecollection'] as const;
type Verb = (typeof VERBS)[number];

let cluster: TestCluster;

function table(namespace: string, name: string, labels: Record<string, string> = {}) {
  return {
    apiVersion: 'service-operator.aws/v1alpha1',
    kind: 'DynamoDB',
    metadata: { name, namespace, labels },
    spec: { hashAttribute: { name: 'id', type: 'S' }, readCapacityUnits: 1, writeCapacityUnits: 1 },
  };
}

const collection = (namespace: string) => `${GROUP_PATH}/namespaces/${namespace}/dynamodbs`;

/** Every table in moto with what a write could change: capacity and tags. */
async function dynamoSnapshot(): Promise<unknown[]> {
  const client = cluster.aws.client(DynamoDBClient);
  const snapshot = [];
  for (const name of (await tableNames(cluster.aws)).sort()) {
    const described = (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
    const tags = (await client.send(new ListTagsOfResourceCommand({ ResourceArn: described?.TableArn }))).Tags;
    snapshot.push({ name, throughput: described?.ProvisionedThroughput?.ReadCapacityUnits, tags: tags?.map((t) => `${t.Key}=${t.Value}`).sort() });
  }
  return snapshot;
}

/** Performs `verb` as `user` in `namespace`, on the objects the setup created there. */
async function perform(as: ProxiedUser, verb: Verb, namespace: string): Promise<HttpsResponse> {
  const base = collection(namespace);
  switch (verb) {
    case 'create':
      return cluster.proxied(as, base, { method: 'POST', body: table(namespace, `scratch-${as.user}`) });
    case 'get':
      return cluster.proxied(as, `${base}/orders`);
    case 'list':
      return cluster.proxied(as, base);
    case 'watch':
      return cluster.proxied(as, `${base}?watch=1&timeoutSeconds=1`);
    case 'patch':
      return cluster.proxied(as, `${base}/orders`, { method: 'PATCH', body: { metadata: { labels: { 'patched-by': as.user } } }, contentType: 'application/merge-patch+json' });
    case 'update': {
      // The object as it was read by whoever may read it: a denied writer must not get past authorization.
      const current = (await cluster.proxied({ user: 'admin', groups: ['system:masters'] }, `${base}/orders`)).json();
      const metadata = { ...(current.metadata as object), labels: { 'updated-by': as.user } };
      return cluster.proxied(as, `${base}/orders`, { method: 'PUT', body: { ...current, metadata } });
    }
    case 'delete':
      return cluster.proxied(as, `${base}/scratch-${as.user}`, { method: 'DELETE' });
    case 'deletecollection':
      return cluster.proxied(as, `${base}?labelSelector=doomed%3Dtrue`, { method: 'DELETE' });
  }
}

function forbiddenMessage(user: string, verb: Verb, namespace: string): string {
  const named = ['get', 'patch', 'update'].includes(verb) ? ' "orders"' : verb === 'delete' ? ` "scratch-${user}"` : '';
  return `dynamodbs.service-operator.aws${named} is forbidden: User "${user}" cannot ${verb} resource "dynamodbs" in API group "service-operator.aws" in the namespace "${namespace}"`;
}

const EXPECTED_SUCCESS: Record<Verb, number> = { create: 201, get: 200, list: 200, watch: 200, patch: 200, update: 200, delete: 200, deletecollection: 200 };

/** Ordinary RBAC: each team may do anything with DynamoDB objects in its namespace; carol may read everywhere. */
const RBAC = [
  ...(['team-a', 'team-b'] as const).flatMap((namespace) => [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'tables', namespace }, rules: [{ apiGroups: ['service-operator.aws'], resources: ['dynamodbs'], verbs: ['*'] }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'tables', namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tables' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: namespace === 'team-a' ? 'alice' : 'bob' }] },
  ]),
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'read-tables' }, rules: [{ apiGroups: ['service-operator.aws'], resources: ['dynamodbs'], verbs: ['get', 'list', 'watch'] }] },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'carol-reads-tables' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'read-tables' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'carol' }] },
];

beforeAll(async () => {
  cluster = await startTestCluster({ clusterName: 'authz', tokens: { 'bob-token': { username: 'bob', groups: ['team-b-devs'] } } });
  await cluster.kubectl(null).ok(['apply', '-f', '-'], { input: RBAC.map((o) => stringify(o)).join('---\n') });
  for (const { user, namespace } of Object.values(USERS)) {
    const as = USERS[user];
    for (const object of [table(namespace, 'orders'), table(namespace, `doomed-${user}`, { doomed: 'true' })]) {
      const created = await cluster.proxied(as, collection(namespace), { method: 'POST', body: object });
      expect(created.status).toBe(201);
    }
  }
});

afterAll(async () => {
  await cluster?.stop();
});

describe('every verb × both namespaces × both users, through the front proxy', () => {
  const cases = Object.keys(USERS).flatMap((user) => NAMESPACES.flatMap((namespace) => VERBS.map((verb) => [user, namespace, verb] as const)));

  test.each(cases)('%s %s → %s', async (user, namespace, verb) => {
    const as = USERS[user];
    if (namespace === as.namespace) {
      const response = await perform(as, verb, namespace);
      expect({ status: response.status, body: response.status < 300 ? '' : response.body }).toEqual({ status: EXPECTED_SUCCESS[verb], body: '' });
      if (verb === 'list') expect(response.json<{ items: { metadata: { namespace: string } }[] }>().items.map((i) => i.metadata.namespace)).toEqual(expect.arrayContaining([namespace]));
      if (verb === 'list') expect(response.json<{ items: { metadata: { namespace: string } }[] }>().items.every((i) => i.metadata.namespace === namespace)).toBe(true);
      if (verb === 'deletecollection') expect(response.json<{ items: { metadata: { name: string } }[] }>().items.map((i) => i.metadata.name)).toEqual([`doomed-${user}`]);
      return;
    }
    const before = await dynamoSnapshot();
    const response = await perform(as, verb, namespace);
    expect(response.status).toBe(403);
    expect(response.json()).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403, message: forbiddenMessage(user, verb, namespace) });
    expect(await dynamoSnapshot()).toEqual(before);
  });

  test("each team's table still exists and was changed only by its own team", async () => {
    const admin = { user: 'admin', groups: ['system:masters'] };
    for (const { user, namespace } of Object.values(USERS)) {
      const object = (await cluster.proxied(admin, `${collection(namespace)}/orders`)).json<{ metadata: { labels: Record<string, string> } }>();
      expect(object.metadata.labels).toEqual({ 'updated-by': user });
    }
  });
});

describe('lists and watches across all namespaces need cluster-wide permission', () => {
  test('alice may not list every namespace', async () => {
    const response = await cluster.proxied(USERS.alice, `${GROUP_PATH}/dynamodbs`);
    expect(response.status).toBe(403);
    expect(response.json<{ message: string }>().message).toBe(
      'dynamodbs.service-operator.aws is forbidden: User "alice" cannot list resource "dynamodbs" in API group "service-operator.aws" at the cluster scope',
    );
    expect((await cluster.proxied(USERS.alice, `${GROUP_PATH}/dynamodbs?watch=1&timeoutSeconds=1`)).status).toBe(403);
  });

  test('carol, with a cluster-wide grant, sees both teams', async () => {
    const response = await cluster.proxied({ user: 'carol' }, `${GROUP_PATH}/dynamodbs`);
    expect(response.status).toBe(200);
    const namespaces = response.json<{ items: { metadata: { namespace: string; name: string } }[] }>().items.filter((i) => i.metadata.name === 'orders').map((i) => i.metadata.namespace);
    expect(namespaces.sort()).toEqual(['team-a', 'team-b']);
  });
});

describe('authentication', () => {
  const orders = `${collection('team-a')}/orders`;

  test('no credentials: 401 Status; health endpoints stay open', async () => {
    const response = await cluster.direct(orders);
    expect(response.status).toBe(401);
    expect(response.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect((await cluster.direct('/healthz')).status).toBe(200);
    expect((await cluster.direct('/readyz')).status).toBe(200);
  });

  test('forged X-Remote-User headers without the front-proxy certificate: 401', async () => {
    const response = await cluster.direct(orders, { headers: { 'X-Remote-User': 'alice', 'X-Remote-Group': 'system:masters' } });
    expect(response.status).toBe(401);
  });

  test('a client-CA certificate is never taken for the front proxy: the headers are ignored and its own CN is the user', async () => {
    // Named like the front proxy, but issued by the client CA: it is the user "front-proxy-client".
    const impostor = cluster.userCertificate('front-proxy-client');
    const asImpostor = await cluster.direct(orders, { cert: impostor, headers: { 'X-Remote-User': 'alice', 'X-Remote-Group': 'system:masters' } });
    expect(asImpostor.status).toBe(403);
    expect(asImpostor.json<{ message: string }>().message).toContain('User "front-proxy-client" cannot get resource');
    // alice's own certificate cannot claim to be bob through the headers either.
    const aliceCert = cluster.userCertificate('alice', ['team-a-devs']);
    const asBob = await cluster.direct(`${collection('team-b')}/orders`, { cert: aliceCert, headers: { 'X-Remote-User': 'bob' } });
    expect(asBob.status).toBe(403);
    expect(asBob.json<{ message: string }>().message).toContain('User "alice" cannot get resource');
  });

  test('a front-proxy-CA certificate whose CN is not an allowed name is not trusted: 401', async () => {
    const { issueCertificate } = await import('../../src/tls/certificates.js');
    const other = issueCertificate(cluster.frontProxyCA, { commonName: 'some-other-proxy', usage: 'client' });
    expect((await cluster.direct(orders, { cert: other, headers: { 'X-Remote-User': 'alice' } })).status).toBe(401);
  });

  test('a certificate from an unknown CA with an allowed name: 401', async () => {
    const { createCertificateAuthority, issueCertificate } = await import('../../src/tls/certificates.js');
    const rogue = issueCertificate(createCertificateAuthority('rogue'), { commonName: 'front-proxy-client', usage: 'client' });
    expect((await cluster.direct(orders, { cert: rogue, headers: { 'X-Remote-User': 'alice' } })).status).toBe(401);
  });

  test('a client certificate from the client CA authenticates its CN; groups from O', async () => {
    const aliceCert = cluster.userCertificate('alice', ['team-a-devs']);
    expect((await cluster.direct(orders, { cert: aliceCert })).status).toBe(200);
    // A name not asked about before, so the decision is not in the cache and the review is visible.
    expect((await cluster.direct(`${collection('team-a')}/never-made`, { cert: aliceCert })).status).toBe(404);
    const review = cluster.accessReviews('alice').at(-1);
    expect(review).toMatchObject({ user: 'alice', groups: ['team-a-devs', 'system:authenticated'] });
  });

  test('bearer tokens go through TokenReview: a valid one is its user, a bad one 401', async () => {
    expect((await cluster.direct(`${collection('team-b')}/orders`, { headers: { Authorization: 'Bearer bob-token' } })).status).toBe(200);
    expect((await cluster.direct(orders, { headers: { Authorization: 'Bearer bob-token' } })).status).toBe(403);
    expect((await cluster.direct(orders, { headers: { Authorization: 'Bearer not-a-token' } })).status).toBe(401);
  });

  test('a local-mode style static token means nothing in cluster mode', async () => {
    expect((await cluster.direct(orders, { headers: { Authorization: 'Bearer local-admin-token' } })).status).toBe(401);
  });

  test('front-proxy identity: every group header, %-escaped extras, system:authenticated added; all in the SubjectAccessReview', async () => {
    const as = { user: 'alice', groups: ['team-a-devs', 'reviewers'], extra: { 'authentication.kubernetes.io/credential-id': ['X509SHA256=abc'], scopes: ['a', 'b'] } };
    expect((await cluster.proxied(as, orders)).status).toBe(200);
    expect(cluster.accessReviews('alice').at(-1)).toEqual({
      user: 'alice',
      groups: ['team-a-devs', 'reviewers', 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': ['X509SHA256=abc'], scopes: ['a', 'b'] },
      // As kube-apiserver decoded it (an empty subresource is omitted).
      resourceAttributes: { namespace: 'team-a', verb: 'get', group: 'service-operator.aws', version: 'v1alpha1', resource: 'dynamodbs', name: 'orders' },
    });
  });
});

describe('authorization', () => {
  test('system:masters needs no SubjectAccessReview (the aggregator availability probe)', async () => {
    const response = await cluster.proxied({ user: 'system:kube-aggregator', groups: ['system:masters'] }, GROUP_PATH);
    expect(response.status).toBe(200);
    expect(cluster.accessReviews('system:kube-aggregator')).toEqual([]);
  });

  test('discovery and OpenAPI for callers without groups (system:aggregator) through system:authenticated', async () => {
    const before = cluster.accessReviews().length;
    for (const path of ['/apis', GROUP_PATH, '/openapi/v2', '/openapi/v3']) {
      expect([path, (await cluster.proxied({ user: 'system:aggregator' }, path)).status]).toEqual([path, 200]);
    }
    // kube-apiserver's own discovery (as system:aggregator too) may be reviewed in between: look among the new reviews.
    expect(cluster.accessReviews().slice(before)).toContainEqual(expect.objectContaining({ user: 'system:aggregator', nonResourceAttributes: { path: '/openapi/v3', verb: 'get' } }));
  });

  test('a user without any grant is refused non-resource paths with kube-apiserver wording', async () => {
    const response = await cluster.direct('/metrics', { cert: cluster.userCertificate('mallory') });
    expect(response.status).toBe(403);
    expect(response.json<{ message: string }>().message).toBe('forbidden: User "mallory" cannot get path "/metrics"');
  });

  test('decisions are cached: repeating a denied request within the TTL asks kube-apiserver once', async () => {
    const dave = { user: 'dave' };
    const path = `${collection('team-a')}/orders`;
    for (let i = 0; i < 3; i++) expect((await cluster.proxied(dave, path)).status).toBe(403);
    expect(cluster.accessReviews('dave')).toHaveLength(1);
  });

});

describe('kubectl as a direct caller with a client certificate', () => {
  test("alice's kubectl lists team-a and is told kube-apiserver's words for team-b", async () => {
    // alice's certificate of the cluster CA, aimed at the server instead of kube-apiserver.
    const kubeconfig = writeKubeconfigFile(join(mkdtempSync(join(tmpdir(), 'alice-')), 'kubeconfig'), cluster.server().url, cluster.cluster.serving.caPem, 'alice', { certificate: cluster.userCertificate('alice', ['team-a-devs']) }, { tlsServerName: SERVING_NAME });
    const kubectl = new Kubectl(kubeconfig, 'team-a');
    expect(await kubectl.ok(['get', 'dynamodbs', '-o', 'name'])).toContain('dynamodb.service-operator.aws/orders');
    const denied = await kubectl.inNamespace('team-b').run(['get', 'dynamodbs']);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('Error from server (Forbidden): dynamodbs.service-operator.aws is forbidden: User "alice" cannot list resource "dynamodbs" in API group "service-operator.aws" in the namespace "team-b"');
  });
});
