// Malformed requests get a clear 4xx Status and change nothing in AWS (issue 9, findings 5 and 6):
// metadata of the wrong JSON type, a malformed %-escape, bodies nested too deep or YAML aliases that
// contain themselves, and a watch timeout longer than a timer can wait; also what the HTTP fuzz test
// (test/fuzz) found: a method HTTP does not know, a write refused only when its answer was shaped.
import { tableNames, expectUnchanged } from '../support/aws.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { https } from '../support/https.js';
import { openWatch } from '../support/watch.js';

const TABLES = '/apis/service-operator.aws/v1alpha1/namespaces/default/dynamodbs';
const KEYS = { hashAttribute: { name: 'id', type: 'S' }, billingMode: 'PAY_PER_REQUEST' };
let env: TestEnvironment;

const table = (metadata: Record<string, unknown>) => ({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', metadata, spec: KEYS });
const post = (body: string, contentType = 'application/json') => env.request(TABLES, { method: 'POST', headers: { 'Content-Type': contentType }, body });

function expectStatus(response: { status: number; headers: Record<string, unknown>; json<T>(): T }, code: number, message: string): void {
  expect(response.status).toBe(code);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.json()).toMatchObject({ kind: 'Status', code, message: expect.stringContaining(message) });
}

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'input' });
});

afterAll(async () => {
  await env?.stop();
});

test('a malformed %-escape in the path is a 400 Status, even before authentication, never an HTML page', async () => {
  const unauthenticated = await https(`${env.server.url}/apis/service-operator.aws/v1alpha1/namespaces/%zz/dynamodbs`, { ca: env.server.ca });
  expectStatus(unauthenticated, 400, 'invalid URL escape');
  expect(unauthenticated.body).not.toContain('<');
  expectStatus(await env.request(`${TABLES}/%E0%A4%A`), 400, 'invalid URL escape');
});

test('a path that reads as another host (//[x/...) is a 4xx Status however the answer is shaped; the server lives on', async () => {
  for (const path of ['//[x/apis', '//[x/apis?pretty=1', `/${TABLES}?pretty=true`]) {
    const odd = await env.request(path);
    expect([path, odd.status >= 400 && odd.status < 500]).toEqual([path, true]);
    expect(odd.json()).toMatchObject({ kind: 'Status' });
  }
  expect((await env.request('/readyz')).status).toBe(200);
});

test('a method HTTP itself does not know, and a bad query parameter of a write, are 400 Statuses and change nothing', async () => {
  expectStatus(await env.request(TABLES, { method: 'FUZZ' }), 400, 'could not be parsed as HTTP');
  await expectUnchanged(
    () => tableNames(env.aws),
    async () => {
      const table = JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', metadata: { name: 'shaped' }, spec: KEYS });
      const headers = { 'Content-Type': 'application/json', Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' };
      expectStatus(await env.request(`${TABLES}?includeObject=x`, { method: 'POST', headers, body: table }), 400, 'includeObject "x" is invalid');
    },
  );
});

test('metadata of the wrong JSON type is a 400 and creates nothing', async () => {
  await expectUnchanged(
    () => tableNames(env.aws),
    async () => {
      expectStatus(await post(JSON.stringify(table({ name: true }))), 400, 'metadata.name of type string');
      expectStatus(await post(JSON.stringify(table({ name: 12345 }))), 400, 'metadata.name of type string');
      expectStatus(await post(JSON.stringify(table({ name: 'owned', ownerReferences: 'x' }))), 400, 'metadata.ownerReferences of type []v1.OwnerReference');
    },
  );
});

test('a merge patch that gives managedFields another type is refused, and later writes still work', async () => {
  expect((await post(JSON.stringify(table({ name: 'patched' })))).status).toBe(201);
  const patch = (body: unknown) => env.request(`${TABLES}/patched`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify(body) });
  expectStatus(await patch({ metadata: { managedFields: 'x' } }), 400, 'metadata.managedFields of type []v1.ManagedFieldsEntry');
  const labelled = await patch({ metadata: { labels: { team: 'a' } } });
  expect([labelled.status, labelled.json<{ metadata: { labels: Record<string, string> } }>().metadata.labels]).toEqual([200, { team: 'a' }]);
});

test('bodies nested too deep, and YAML aliases that contain themselves, are 400s; the server lives on', async () => {
  await expectUnchanged(
    () => tableNames(env.aws),
    async () => {
      const deep = `{"apiVersion":"service-operator.aws/v1alpha1","kind":"DynamoDB","metadata":{"name":"deep"},"spec":{"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`;
      expectStatus(await post(deep), 400, 'nests deeper than');
      expectStatus(await post(`apiVersion: service-operator.aws/v1alpha1\nkind: DynamoDB\nmetadata: {name: deep}\nspec: ${'['.repeat(10_000)}${']'.repeat(10_000)}`, 'application/yaml'), 400, 'nests deeper than');
      expectStatus(await post('apiVersion: service-operator.aws/v1alpha1\nkind: DynamoDB\nmetadata: &m {name: loop, labels: *m}\n', 'application/yaml'), 400, 'contain themselves');
    },
  );
  expect((await env.request('/readyz')).status).toBe(200);
});

test('a watch timeout longer than a timer can wait keeps the watch open instead of closing it at once', async () => {
  const watch = await openWatch({ url: env.server.url, ca: env.server.ca, token: env.server.token }, `${TABLES}?watch=1&timeoutSeconds=3000000`);
  expect((await post(JSON.stringify(table({ name: 'watched' })))).status).toBe(201);
  await watch.waitFor('ADDED watched', (event) => event.type === 'ADDED' && event.object.metadata?.name === 'watched');
  expect(watch.ended()).toBe(false);
  watch.close();
});
