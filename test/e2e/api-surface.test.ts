// The wire contract kube-aggregator and kubectl rely on, checked over real HTTPS: discovery in both
// forms, OpenAPI v2/v3 with GVK extensions and without strategic merge, health, Status errors, the
// read-only status subresource, pretty output, and 503s (not hangs or 500s) while AWS is unreachable.
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { https } from '../support/https.js';
import { openWatch } from '../support/watch.js';

let env: TestEnvironment;
const GV = '/apis/service-operator.aws/v1alpha1';
const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'surface' });
});

afterAll(async () => {
  await env?.stop();
});

describe('discovery', () => {
  test('aggregated /apis names every kind with verbs, shortNames and the aws category', async () => {
    const response = await env.request('/apis', { headers: { Accept: AGGREGATED } });
    expect(response.headers['content-type']).toContain('as=APIGroupDiscoveryList');
    expect(response.headers.etag).toBeDefined();
    const resources = response.json<{ items: { versions: { resources: { resource: string; responseKind: unknown; categories: string[]; verbs: string[] }[] }[] }[] }>().items[0].versions[0].resources;
    const ddb = resources.find((r) => r.resource === 'dynamodbs');
    expect(ddb).toMatchObject({ responseKind: { group: 'service-operator.aws', version: 'v1alpha1', kind: 'DynamoDB' }, categories: ['aws'] });
    expect(ddb?.verbs).toEqual(expect.arrayContaining(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection']));
    const again = await env.request('/apis', { headers: { Accept: AGGREGATED, 'If-None-Match': response.headers.etag as string } });
    expect(again.status).toBe(304);
  });

  test('legacy APIGroupList and APIResourceList', async () => {
    // (A local server also lists the self reviews' groups: direct-server-scope.test.ts.)
    const groups = (await env.request('/apis')).json<{ kind: string; groups: { name: string }[] }>();
    expect(groups.kind).toBe('APIGroupList');
    expect(groups.groups[0]).toMatchObject({ name: 'service-operator.aws', preferredVersion: { groupVersion: 'service-operator.aws/v1alpha1' } });
    const list = (await env.request(GV)).json<{ resources: { name: string; kind: string; namespaced: boolean; shortNames: string[] }[] }>();
    expect(list.resources.find((r) => r.name === 'dynamodbs')).toMatchObject({ kind: 'DynamoDB', namespaced: true, shortNames: expect.arrayContaining(['ddb']) });
  });

  test('each kind has a read-only status subresource', async () => {
    const list = (await env.request(GV)).json<{ resources: { name: string; verbs: string[] }[] }>();
    expect(list.resources.find((r) => r.name === 'dynamodbs/status')).toMatchObject({ verbs: ['get'] });
    const aggregated = (await env.request('/apis', { headers: { Accept: AGGREGATED } })).json<{ items: { versions: { resources: { resource: string; subresources?: unknown[] }[] }[] }[] }>();
    const dynamodbs = aggregated.items[0].versions[0].resources.find((r) => r.resource === 'dynamodbs');
    expect(dynamodbs?.subresources).toEqual([{ subresource: 'status', responseKind: { group: 'service-operator.aws', version: 'v1alpha1', kind: 'DynamoDB' }, verbs: ['get'] }]);
  });

  test('kubectl api-resources sees the kinds and their short names', async () => {
    const out = await env.kubectl.ok(['api-resources', '--api-group=service-operator.aws']);
    expect(out).toMatch(/dynamodbs\s+ddb,ddbs,dynamo,dynamotable,dynamotables\s+service-operator.aws\/v1alpha1\s+true\s+DynamoDB/);
  });
});

describe('OpenAPI', () => {
  test('the v3 root lists only our group-version with a content hash, and the document carries GVKs', async () => {
    const root = (await env.request('/openapi/v3')).json<{ paths: Record<string, { serverRelativeURL: string }> }>();
    expect(Object.keys(root.paths)).toEqual(['apis/service-operator.aws/v1alpha1']);
    const url = root.paths['apis/service-operator.aws/v1alpha1'].serverRelativeURL;
    const response = await env.request(url);
    expect(response.headers['cache-control']).toContain('immutable');
    const doc = response.json<{ paths: Record<string, Record<string, { 'x-kubernetes-group-version-kind'?: unknown; requestBody?: { content: object }; parameters?: { name: string }[] }>>; components: { schemas: Record<string, { 'x-kubernetes-group-version-kind'?: unknown }> } }>();
    const patch = doc.paths[`${GV}/namespaces/{namespace}/dynamodbs/{name}`].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'service-operator.aws', version: 'v1alpha1', kind: 'DynamoDB' });
    expect(Object.keys(patch.requestBody?.content ?? {})).not.toContain('application/strategic-merge-patch+json');
    expect(patch.parameters?.map((p) => p.name)).toContain('fieldValidation');
    expect(doc.components.schemas['aws.service-operator.v1alpha1.DynamoDB']['x-kubernetes-group-version-kind']).toEqual([{ group: 'service-operator.aws', version: 'v1alpha1', kind: 'DynamoDB' }]);
    // A stale hash still gets the document (no redirect: the aggregator would turn it into a 502).
    expect((await env.request('/openapi/v3/apis/service-operator.aws/v1alpha1?hash=OLD')).status).toBe(200);
  });

  test('v2 has the same paths and definitions', async () => {
    const doc = (await env.request('/openapi/v2')).json<{ swagger: string; paths: Record<string, unknown>; definitions: Record<string, unknown> }>();
    expect(doc.swagger).toBe('2.0');
    expect(doc.paths).toHaveProperty([`${GV}/namespaces/{namespace}/dynamodbs/{name}`]);
    expect(doc.definitions).toHaveProperty(['aws.service-operator.v1alpha1.DynamoDB']);
  });
});

describe('health, authentication and errors', () => {
  test('health endpoints answer without credentials; everything else needs them', async () => {
    for (const path of ['/healthz', '/livez', '/readyz']) expect((await https(`${env.server.url}${path}`, { ca: env.server.ca })).status).toBe(200);
    const anonymous = await https(`${env.server.url}${GV}/dynamodbs`, { ca: env.server.ca });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const wrong = await https(`${env.server.url}${GV}/dynamodbs`, { ca: env.server.ca, headers: { Authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });

  test('unknown paths and verbs are Status responses', async () => {
    expect((await env.request(`${GV}/nothings`)).json()).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
    expect((await env.request(`${GV}/namespaces/default/dynamodbs/x/status`)).status).toBe(404);
    expect((await env.request(`${GV}/namespaces/default/dynamodbs/missing`)).json()).toMatchObject({
      reason: 'NotFound',
      message: 'dynamodbs.service-operator.aws "missing" not found',
      details: { name: 'missing', group: 'service-operator.aws', kind: 'dynamodbs' },
    });
    expect((await env.request(`${GV}/dynamodbs?fieldSelector=spec.x%3D1`)).status).toBe(400);
    expect((await env.request(`${GV}/dynamodbs?labelSelector=a%20in%20b`)).status).toBe(400);
  });

  test('the status is read through its subresource and never written: 405 saying why', async () => {
    const body = { apiVersion: 'service-operator.aws/v1alpha1', kind: 'SNSTopic', metadata: { name: 'status-read' } };
    expect((await env.request(`${GV}/namespaces/default/snstopics`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } })).status).toBe(201);
    const status = await env.request(`${GV}/namespaces/default/snstopics/status-read/status`);
    expect(status.json()).toMatchObject({ kind: 'SNSTopic', status: { conditions: [expect.objectContaining({ type: 'Ready' })] } });
    const write = await env.request(`${GV}/namespaces/default/snstopics/status-read/status`, { method: 'PATCH', body: '{"status":{}}', headers: { 'Content-Type': 'application/merge-patch+json' } });
    expect([write.status, write.json()]).toEqual([405, expect.objectContaining({ reason: 'MethodNotAllowed', message: 'patch is not supported on resources of kind "snstopics/status.service-operator.aws": the status is read from AWS; write spec instead' })]);
  });

  test('pretty: as Go parses it when given, and for curl, Wget and browsers', async () => {
    const indented = (body: string) => body.startsWith('{\n  "');
    expect(indented((await env.request(`${GV}/namespaces/empty/dynamodbs?pretty=true`)).body)).toBe(true);
    expect(indented((await env.request(`${GV}/namespaces/empty/dynamodbs?pretty=1`)).body)).toBe(true);
    expect(indented((await env.request(`${GV}/namespaces/empty/dynamodbs`)).body)).toBe(false);
    expect(indented((await env.request(`${GV}/namespaces/empty/dynamodbs`, { headers: { 'User-Agent': 'curl/8.5.0' } })).body)).toBe(true);
    expect(indented((await env.request(`${GV}/namespaces/empty/dynamodbs?pretty=false`, { headers: { 'User-Agent': 'curl/8.5.0' } })).body)).toBe(false);
    expect(indented((await env.request(`${GV}/namespaces/empty/dynamodbs/missing?pretty=true`)).body)).toBe(true);
  });

  test('lists answer items: [] when empty, in the requested shape', async () => {
    expect((await env.request(`${GV}/namespaces/empty/dynamodbs`)).json()).toMatchObject({ kind: 'DynamoDBList', items: [] });
    const table = await env.request(`${GV}/dynamodbs`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    expect(table.json()).toMatchObject({ kind: 'Table', rows: [], metadata: { resourceVersion: expect.any(String) } });
    const yaml = await env.request(`${GV}/dynamodbs`, { headers: { Accept: 'application/yaml' } });
    expect(yaml.body).toContain('kind: DynamoDBList');
  });

  test('metrics count requests and AWS calls, by caller', async () => {
    const metrics = (await env.request('/metrics')).body;
    expect(metrics).toContain('apiserver_request_total');
    // Listing is the resync's; the describes a GET makes are the request's.
    expect(metrics).toMatch(/aws_api_calls_total\{service="ResourceGroupsTaggingAPIClient",operation="GetResourcesCommand",caller="resync"\}/);
    await env.request(`${GV}/namespaces/default/dynamodbs/no-such-table`);
    expect((await env.request('/metrics')).body).toMatch(/aws_api_calls_total\{service="DynamoDBClient",operation="DescribeTableCommand",caller="request"\}/);
    expect(metrics).toMatch(/apiserver_oldest_read_age_seconds\{resource="dynamodbs"\}/);
  });

  test('while AWS is unreachable: 503 with Retry-After, and open watches stay open', async () => {
    const watch = await openWatch({ url: env.server.url, ca: env.server.ca, token: env.server.token }, `${GV}/dynamodbs?watch=true&resourceVersion=0`);
    await env.moto.stop();
    const response = await env.request(`${GV}/namespaces/default/dynamodbs/anything`);
    expect(response.status).toBe(503);
    expect(response.json()).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable' });
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(watch.ended()).toBe(false);
    expect((await env.request('/livez')).status).toBe(200);
    watch.close();
  });
});
