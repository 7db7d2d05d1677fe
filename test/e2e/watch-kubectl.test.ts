// kubectl's list+watch flows against the real server against moto, with changes made both through the
// server and directly in DynamoDB (out of band, found by the resync): `get -w`, `wait`, `delete`, and
// resuming or relisting after a resourceVersion the server can no longer serve.
import { DeleteTableCommand, DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { createOwnedTable, tableNames } from '../support/aws.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { openWatch } from '../support/watch.js';

let env: TestEnvironment;
const CLUSTER = 'watch';
const GV = '/apis/service-operator.aws/v1alpha1';
const ddb = () => env.aws.client(DynamoDBClient);

function tableManifest(name: string, extra: { labels?: Record<string, string> } = {}): string {
  return JSON.stringify({
    apiVersion: 'service-operator.aws/v1alpha1',
    kind: 'DynamoDB',
    metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: { hashAttribute: { name: 'id', type: 'S' }, readCapacityUnits: 1, writeCapacityUnits: 1 },
  });
}

/** Rows kubectl printed for one object and event, e.g. `rows(out, 'ADDED', 'orders')`. */
function rows(stdout: string, event: string, name: string): string[] {
  return stdout.split('\n').filter((line) => new RegExp(`^${event}\\s+${name}\\s`).test(line));
}

beforeAll(async () => {
  env = await startEnvironment({ clusterName: CLUSTER, extraArgs: ['--resync-period', '1', '--transitional-resync-period', '0.5', '--event-window', '100', '--bookmark-interval', '0.3'] });
});

afterAll(async () => {
  await env?.stop();
});

describe('kubectl get -w', () => {
  test('prints in-band and out-of-band creations, changes and deletions, each once', async () => {
    const watch = env.kubectl.start(['get', 'dynamodbs', '-w', '--output-watch-events']);
    try {
      await env.kubectl.ok(['apply', '-f', '-'], { input: tableManifest('inband') });
      await watch.waitForOutput('the in-band table', (out) => /ADDED\s+inband\s+watch\.default\.inband\s+ACTIVE\s+PROVISIONED/.test(out));

      await createOwnedTable(env.aws, 'oob-table', { cluster: CLUSTER, namespace: 'default', name: 'oob' });
      await watch.waitForOutput('the out-of-band table', (out) => /ADDED\s+oob\s+oob-table\s+ACTIVE\s+PAY_PER_REQUEST/.test(out));

      await ddb().send(new UpdateTableCommand({ TableName: 'oob-table', BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 2 } }));
      await watch.waitForOutput('the out-of-band change', (out) => /MODIFIED\s+oob\s+oob-table\s+\S+\s+PROVISIONED/.test(out));

      await env.kubectl.ok(['patch', 'ddb', 'inband', '--type=merge', '-p', '{"spec":{"billingMode":"PAY_PER_REQUEST","readCapacityUnits":null,"writeCapacityUnits":null}}']);
      await watch.waitForOutput('the in-band change', (out) => /MODIFIED\s+inband\s+watch\.default\.inband\s+\S+\s+PAY_PER_REQUEST/.test(out));

      await env.kubectl.ok(['delete', 'ddb', 'inband']);
      await watch.waitForOutput('the in-band deletion', (out) => rows(out, 'DELETED', 'inband').length > 0);
      await ddb().send(new DeleteTableCommand({ TableName: 'oob-table' }));
      await watch.waitForOutput('the out-of-band deletion', (out) => rows(out, 'DELETED', 'oob').length > 0);

      const out = watch.stdout();
      for (const name of ['inband', 'oob']) {
        expect(rows(out, 'ADDED', name)).toHaveLength(1);
        expect(rows(out, 'DELETED', name)).toHaveLength(1);
      }
      expect(watch.stderr()).toBe('');
    } finally {
      await watch.stop();
    }
  });

  test('a named watch (`get NAME -w`) shows only that object', async () => {
    await env.kubectl.ok(['apply', '-f', '-'], { input: tableManifest('named') });
    await env.kubectl.ok(['apply', '-f', '-'], { input: tableManifest('other') });
    const watch = env.kubectl.start(['get', 'dynamodb', 'named', '-w', '--output-watch-events']);
    try {
      await watch.waitForOutput('the object itself', (out) => /named\s+watch\.default\.named/.test(out));
      await env.kubectl.ok(['label', 'ddb', 'other', 'seen=no']);
      await env.kubectl.ok(['label', 'ddb', 'named', 'seen=yes']);
      await watch.waitForOutput('the label change', (out) => rows(out, 'MODIFIED', 'named').length > 0);
      expect(watch.stdout()).not.toContain('other');
    } finally {
      await watch.stop();
      await env.kubectl.ok(['delete', 'ddb', 'named', 'other']);
    }
  });
});

describe('kubectl wait and delete', () => {
  test('wait --for=condition=Ready returns once the table is ACTIVE', async () => {
    await env.kubectl.ok(['apply', '-f', '-'], { input: tableManifest('ready') });
    expect(await env.kubectl.ok(['wait', '--for=condition=Ready', 'dynamodb/ready', '--timeout=60s'])).toContain('condition met');
  });

  test('delete waits until the table is gone from DynamoDB, then returns', async () => {
    expect(await env.kubectl.ok(['delete', 'dynamodb', 'ready', '--timeout=60s'])).toContain('deleted');
    expect(await tableNames(env.aws)).not.toContain('watch.default.ready');
  });

  test('wait --for=delete returns when the table is deleted out of band', async () => {
    await env.kubectl.ok(['apply', '-f', '-'], { input: tableManifest('doomed') });
    const wait = env.kubectl.start(['wait', '--for=delete', 'dynamodb/doomed', '--timeout=60s', '-v=6']);
    await wait.waitForOutput('its watch request', (_out, log) => /GET \S+watch=true\S* 200/.test(log));
    await ddb().send(new DeleteTableCommand({ TableName: 'watch.default.doomed' }));
    expect(await wait.exited).toBe(0);
    expect(wait.stdout()).toContain('condition met');
  });
});

describe('resourceVersions the server can no longer serve', () => {
  const path = `${GV}/namespaces/default/dynamodbs`;
  const target = () => ({ url: env.server.url, ca: env.server.ca, token: env.server.token });
  const label = (value: string) =>
    env.request(`${path}/busy`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { labels: { step: value } } }) });

  test('a watch from a version evicted from the event window gets 410 Expired; relist and rewatch lose nothing', async () => {
    await env.kubectl.ok(['apply', '-f', '-'], { input: tableManifest('busy') });
    const stale = (await env.request(path)).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
    // The server keeps 100 changes per kind (--event-window 100): push the listed version out of it.
    for (let step = 0; step <= 100; step++) expect((await label(String(step))).status).toBe(200);

    const expiredWatch = await openWatch(target(), `${path}?watch=true&resourceVersion=${stale}`);
    expect(expiredWatch.status).toBe(200);
    await expiredWatch.waitForEnd();
    expect(expiredWatch.events).toEqual([{ type: 'ERROR', object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }) }]);

    // The informer's recovery: relist, then watch from the list's version. A change made between the
    // two must arrive on the watch, exactly once, followed by later changes.
    const relist = (await env.request(path)).json<{ metadata: { resourceVersion: string }; items: { metadata: { name: string; labels: Record<string, string> } }[] }>();
    expect(relist.items.find((i) => i.metadata.name === 'busy')?.metadata.labels).toEqual({ step: '100' });
    await label('between');
    const rewatch = await openWatch(target(), `${path}?watch=true&resourceVersion=${relist.metadata.resourceVersion}`);
    try {
      await label('after');
      await rewatch.waitFor('the change after the rewatch', (e) => e.object.metadata?.labels?.step === 'after');
      // Only busy's events: another table of the namespace may settle (a background MODIFIED) meanwhile.
      const steps = rewatch.events.filter((e) => e.object.metadata?.name === 'busy').map((e) => `${e.type} ${e.object.metadata?.labels?.step}`);
      expect(steps).toEqual(['MODIFIED between', 'MODIFIED after']);
    } finally {
      rewatch.close();
    }
  });
});

describe('watch protocol', () => {
  const path = `${GV}/dynamodbs`;
  const target = () => ({ url: env.server.url, ca: env.server.ca, token: env.server.token });

  test('allowWatchBookmarks brings periodic BOOKMARKs carrying only the current resourceVersion', async () => {
    const from = (await env.request(path)).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
    const watch = await openWatch(target(), `${path}?watch=true&allowWatchBookmarks=true&resourceVersion=${from}`);
    try {
      const bookmark = await watch.waitFor('a bookmark', (e) => e.type === 'BOOKMARK');
      expect(bookmark.object).toEqual({ kind: 'DynamoDB', apiVersion: 'service-operator.aws/v1alpha1', metadata: { resourceVersion: expect.any(String) } });
      expect(BigInt(bookmark.object.metadata?.resourceVersion as string)).toBeGreaterThanOrEqual(BigInt(from));
    } finally {
      watch.close();
    }
  });

  test('timeoutSeconds ends the stream cleanly, and a watch without bookmarks gets none', async () => {
    const watch = await openWatch(target(), `${path}?watch=true&timeoutSeconds=1&resourceVersion=${(await env.request(path)).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion}`);
    await watch.waitForEnd();
    expect(watch.events).toEqual([]);
  });
});

