// Lists as kubectl, informers and the garbage collector / namespace controller ask for them: paged
// with limit/continue, as PartialObjectMetadata (with the protobuf-first Accept of client-go's metadata
// client), as Tables, at a given resourceVersion; and deletecollection.
import { tableNames } from '../support/aws.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { openWatch } from '../support/watch.js';

let env: TestEnvironment;
const GV = '/apis/service-operator.aws/v1alpha1';
const PATH = `${GV}/namespaces/default/dynamodbs`;
const NAMES = ['t1', 't2', 't3', 't4', 't5'];
// What k8s.io/client-go/metadata sends: protobuf first, which we skip, then JSON.
const METADATA_LIST_ACCEPT = 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const METADATA_ACCEPT = 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

/** One document of a multi-document YAML stream (JSON is YAML; the leading --- keeps kubectl from reading it as one JSON document). */
function manifest(name: string, group: string) {
  return {
    apiVersion: 'service-operator.aws/v1alpha1',
    kind: 'DynamoDB',
    metadata: { name, labels: { group } },
    spec: { hashAttribute: { name: 'id', type: 'S' }, billingMode: 'PAY_PER_REQUEST' },
  };
}

const target = () => ({ url: env.server.url, ca: env.server.ca, token: env.server.token });
const label = (name: string, labels: Record<string, string>) =>
  env.request(`${PATH}/${name}`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { labels } }) });

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'lists' });
  await env.kubectl.ok(['apply', '-f', '-'], { input: NAMES.map((name, i) => `---\n${JSON.stringify(manifest(name, i < 3 ? 'bulk' : 'keep'))}\n`).join('') });
});

afterAll(async () => {
  await env?.stop();
});

describe('limit and continue', () => {
  test('kubectl get --chunk-size=2 follows the continue tokens to every object, in order', async () => {
    const result = await env.kubectl.run(['get', 'dynamodbs', '--chunk-size=2', '-o', 'name', '-v=6']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(NAMES.map((n) => `dynamodb.service-operator.aws/${n}`));
    const requests = result.stderr.split('\n').filter((line) => /GET \S+\/dynamodbs\?\S*limit=2/.test(line));
    expect(requests).toHaveLength(3);
    expect(requests.filter((line) => line.includes('continue='))).toHaveLength(2);
  });

  test('as a Table, every page carries the same resourceVersion and kubectl prints one header', async () => {
    const out = await env.kubectl.ok(['get', 'dynamodbs', '--chunk-size=2']);
    expect(out.match(/^NAME\s/gm)).toHaveLength(1);
    expect(out.trim().split('\n')).toHaveLength(1 + NAMES.length);
    const first = (await env.request(`${PATH}?limit=2`, { headers: { Accept: TABLE_ACCEPT } })).json<{ metadata: { resourceVersion: string; continue: string } }>();
    const second = (await env.request(`${PATH}?limit=2&continue=${encodeURIComponent(first.metadata.continue)}`, { headers: { Accept: TABLE_ACCEPT } })).json<{ metadata: { resourceVersion: string } }>();
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
  });
});

describe('PartialObjectMetadata', () => {
  test('a list with the metadata client Accept header is a PartialObjectMetadataList', async () => {
    const response = await env.request(PATH, { headers: { Accept: METADATA_LIST_ACCEPT } });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const list = response.json<{ kind: string; metadata: { resourceVersion: string }; items: { kind: string; apiVersion: string; metadata: Record<string, unknown>; spec?: unknown }[] }>();
    expect(list).toMatchObject({ kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: expect.any(String) } });
    expect(list.items).toHaveLength(NAMES.length);
    for (const item of list.items) {
      expect(item).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { namespace: 'default', uid: expect.any(String), resourceVersion: expect.any(String) } });
      expect(item.spec).toBeUndefined();
    }
  });

  test('a metadata informer watch (sendInitialEvents) gets PartialObjectMetadata events and its end bookmark', async () => {
    const watch = await openWatch(target(), `${PATH}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`, { Accept: METADATA_ACCEPT });
    try {
      const end = await watch.waitFor('the initial-events-end bookmark', (e) => e.type === 'BOOKMARK');
      expect(end.object).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } });
      const initial = watch.events.slice(0, watch.events.indexOf(end));
      expect(initial.map((e) => `${e.type} ${e.object.kind} ${e.object.metadata?.name}`)).toEqual(NAMES.map((n) => `ADDED PartialObjectMetadata ${n}`));
      await label('t4', { group: 'keep', seen: 'yes' });
      const changed = await watch.waitFor('the label change', (e) => e.type === 'MODIFIED');
      expect(changed.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 't4', labels: { seen: 'yes' } } });
    } finally {
      watch.close();
    }
  });
});

describe('watch shapes and selectors', () => {
  test('a Table watch sends the column definitions with the first event only', async () => {
    const watch = await openWatch(target(), `${PATH}?watch=true&resourceVersion=0`, { Accept: TABLE_ACCEPT });
    try {
      await watch.waitFor('a row for every object', () => watch.events.length === NAMES.length);
      const [first, ...rest] = watch.events;
      expect(first.object).toMatchObject({ kind: 'Table', columnDefinitions: expect.arrayContaining([expect.objectContaining({ name: 'Name' })]) });
      for (const event of rest) expect(event.object.columnDefinitions).toBeNull();
    } finally {
      watch.close();
    }
  });

  test('an object that stops matching the label selector is DELETED for that watcher, and ADDED when it matches again', async () => {
    const listed = (await env.request(`${PATH}?labelSelector=group%3Dkeep`)).json<{ metadata: { resourceVersion: string } }>();
    const watch = await openWatch(target(), `${PATH}?watch=true&labelSelector=group%3Dkeep&resourceVersion=${listed.metadata.resourceVersion}`);
    try {
      await label('t5', { group: 'moved' });
      await label('t5', { group: 'keep' });
      await watch.waitFor('t5 to come back', (e) => e.type === 'ADDED');
      expect(watch.events.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual(['DELETED t5', 'ADDED t5']);
    } finally {
      watch.close();
    }
  });
});

describe('list resourceVersion semantics', () => {
  test('a version never issued is 504 Too large; Exact at an overtaken version is 410; a bare match is 422', async () => {
    const { resourceVersion } = (await env.request(PATH)).json<{ metadata: { resourceVersion: string } }>().metadata;
    const exact = await env.request(`${PATH}?resourceVersion=${resourceVersion}&resourceVersionMatch=Exact`);
    expect(exact.json()).toMatchObject({ metadata: { resourceVersion } });
    const tooLarge = await env.request(`${PATH}?resourceVersion=${BigInt(resourceVersion) + 1_000_000n}`);
    expect(tooLarge.json()).toMatchObject({ code: 504, reason: 'Timeout', details: { causes: [{ reason: 'ResourceVersionTooLarge' }] } });
    await label('t1', { group: 'bulk', touched: 'yes' });
    expect((await env.request(`${PATH}?resourceVersion=${resourceVersion}&resourceVersionMatch=Exact`)).json()).toMatchObject({ code: 410, reason: 'Expired' });
    expect((await env.request(`${PATH}?resourceVersion=${resourceVersion}`)).status).toBe(200);
    expect((await env.request(`${PATH}?resourceVersionMatch=NotOlderThan`)).json()).toMatchObject({ code: 422, reason: 'Invalid' });
  });
});

describe('deletecollection', () => {
  test('the namespace controller\'s request deletes exactly the matching tables in AWS', async () => {
    const response = await env.request(`${PATH}?labelSelector=group%3Dbulk`, {
      method: 'DELETE',
      headers: { Accept: METADATA_LIST_ACCEPT, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' }),
    });
    expect(response.status).toBe(200);
    const deleted = response.json<{ kind: string; items: { metadata: { name: string } }[] }>();
    expect(deleted.kind).toBe('PartialObjectMetadataList');
    expect(deleted.items.map((i) => i.metadata.name)).toEqual(['t1', 't2', 't3']);
    const remaining = (await tableNames(env.aws)).filter((t) => t.startsWith('lists.'));
    expect(remaining.sort()).toEqual(['lists.default.t4', 'lists.default.t5']);
    expect(await env.kubectl.ok(['get', 'dynamodbs', '-o', 'name'])).toBe('dynamodb.service-operator.aws/t4\ndynamodb.service-operator.aws/t5\n');
  });
});
