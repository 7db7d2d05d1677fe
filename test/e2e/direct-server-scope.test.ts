// A direct (local) server is honest about what it serves: kubectl is told that objects of other groups
// need a cluster, OpenAPI v2 is JSON only (406 for protobuf), the core group answers as a server
// without core resources does, and `kubectl auth can-i` / `whoami` work against it.
import { KINDS } from '../../src/kinds/index.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';

let env: TestEnvironment;
const PROTOBUF_V2 = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'scope' });
});

afterAll(async () => {
  await env?.stop();
});

describe('a manifest mixing our kinds with built-in ones', () => {
  test('kubectl says that this server serves only service-operator.aws', async () => {
    const result = await env.kubectl.run(['apply', '-f', 'examples/dynamodb-app.yaml']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('It serves the API group service-operator.aws and nothing else');
    expect(result.stderr).not.toContain('proto: cannot parse');
  });

  test('without client-side validation kubectl names each kind it cannot map', async () => {
    const result = await env.kubectl.run(['apply', '--validate=false', '-f', 'examples/dynamodb-app.yaml']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('no matches for kind "Service" in version "v1"');
    expect(result.stderr).toContain('no matches for kind "Deployment" in version "apps/v1"');
  });
});

describe('OpenAPI v2', () => {
  test('a protobuf-only Accept gets 406 with the reason as text; JSON (or a JSON fallback) gets the document', async () => {
    const protobuf = await env.request('/openapi/v2', { headers: { Accept: PROTOBUF_V2 } });
    expect(protobuf.status).toBe(406);
    expect(protobuf.headers['content-type']).toMatch(/^text\/plain/);
    expect(protobuf.body).toContain('application/json only');
    for (const accept of ['application/json', `${PROTOBUF_V2}, application/json`, '*/*']) {
      const json = await env.request('/openapi/v2', { headers: { Accept: accept } });
      expect([accept, json.status, json.json<{ swagger: string }>().swagger]).toEqual([accept, 200, '2.0']);
    }
  });
});

describe('the core group of a server without core resources', () => {
  test('/api lists v1, /api/v1 lists no resources, aggregated /api has v1 and no resources', async () => {
    expect((await env.request('/api')).json()).toMatchObject({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0' }] });
    expect((await env.request('/api/v1')).json()).toEqual({ kind: 'APIResourceList', groupVersion: 'v1', resources: [] });
    const aggregated = await env.request('/api', { headers: { Accept: AGGREGATED } });
    expect(aggregated.json()).toMatchObject({ kind: 'APIGroupDiscoveryList', items: [{ versions: [{ version: 'v1', resources: [] }] }] });
  });

  test('kubectl api-resources lists our kinds and the self reviews, nothing core', async () => {
    const out = await env.kubectl.ok(['api-resources', '-o', 'name']);
    expect(out.trim().split('\n').sort()).toEqual(
      KINDS.map((kind) => `${kind.names.plural}.service-operator.aws`).concat(['selfsubjectaccessreviews.authorization.k8s.io', 'selfsubjectreviews.authentication.k8s.io', 'selfsubjectrulesreviews.authorization.k8s.io']).sort(),
    );
  });
});

describe('kubectl auth', () => {
  test('can-i answers for our kinds (the local administrator may do everything)', async () => {
    expect((await env.kubectl.ok(['auth', 'can-i', 'create', 'dynamodbs', '-n', 'team-a'])).trim()).toBe('yes');
    expect((await env.kubectl.ok(['auth', 'can-i', 'get', '/healthz'])).trim()).toBe('yes');
    const list = await env.kubectl.ok(['auth', 'can-i', '--list']);
    expect(list).toMatch(/\*\.\*\s+\[\]\s+\[\]\s+\[\*\]/);
  });

  test('whoami names the local administrator', async () => {
    const review = JSON.parse(await env.kubectl.ok(['auth', 'whoami', '-o', 'json'])) as { kind: string; status: { userInfo: { username: string; groups: string[] } } };
    expect(review).toMatchObject({ kind: 'SelfSubjectReview', status: { userInfo: { username: 'local-admin', groups: expect.arrayContaining(['system:masters']) } } });
  });

  test('an access review that asks about nothing, or with mistyped attributes, is a 422', async () => {
    const post = (spec: unknown) =>
      env.request('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec }) });
    expect((await post({})).json()).toMatchObject({ kind: 'Status', code: 422, reason: 'Invalid' });
    expect((await post({ resourceAttributes: { verb: 5 } })).json()).toMatchObject({ code: 422, details: { causes: [{ field: 'spec.resourceAttributes.verb' }] } });
    const allowed = await post({ resourceAttributes: { verb: 'delete', group: 'service-operator.aws', resource: 'sqsqueues', namespace: 'x' } });
    expect(allowed.status).toBe(201);
    expect(allowed.json()).toMatchObject({ kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'delete' } }, status: { allowed: true } });
  });
});
