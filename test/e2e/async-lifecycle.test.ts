// Resources AWS creates and deletes asynchronously (DynamoDB's CREATING and DELETING; moto does both at
// once, so an in-memory fake service stands in): the real kubectl against the real server, in this
// process, with the fake kind as its only kind. Ready arrives through the transitional resync; DELETE
// answers the object with deletionTimestamp and the finalizer, and watchers see DELETED when it is gone.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identityTags } from '../../src/aws/metadata-tags.js';
import { parseConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { AWS_FINALIZER } from '../../src/registry/objects.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { FakeCloud, fakeKind } from '../support/fake-cloud.js';
import { https } from '../support/https.js';
import { Kubectl } from '../support/kubectl.js';
import { caOf, freePort } from '../support/processes.js';
import { openWatch } from '../support/watch.js';

const TOKEN = 'async-lifecycle-token';
const PATH = '/apis/service-operator.aws/v1alpha1/namespaces/default/faketables';
const cloud = new FakeCloud({ transitionMs: 1500 });
let server: RunningServer;
let kubectl: Kubectl;
let ca: string;

const manifest = (name: string) => JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'FakeTable', metadata: { name }, spec: { size: 2 } });
const request = (path: string, method = 'GET') => https(`${server.url}${path}`, { method, ca, headers: { Authorization: `Bearer ${TOKEN}` } });

/** The real server in this process, serving only the fake kind; resolves once it listens. */
async function startFakeServer(backing: FakeCloud): Promise<{ server: RunningServer; ca: string; kubeconfig: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'async-lifecycle-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const flags = ['--port', String(await freePort()), '--write-kubeconfig', kubeconfig, '--token', TOKEN, '--certs-dir', join(dir, 'certs'), '--cluster-name', 'fake', '--local-aws'];
  const config = parseConfig([...flags, '--resync-period', '1', '--transitional-resync-period', '0.3']) as Config;
  const started = await startServer(config, createLogger('warn'), [fakeKind(backing)]);
  return { server: started, ca: caOf(join(dir, 'certs')), kubeconfig };
}

beforeAll(async () => {
  const started = await startFakeServer(cloud);
  ({ server, ca } = started);
  await server.ready;
  kubectl = new Kubectl(started.kubeconfig);
});

afterAll(async () => {
  await server?.close();
});

describe('before the first read of AWS has finished', () => {
  test('lists and watches are 429 with Retry-After (not an empty list that informers would believe); gets work', async () => {
    const slow = new FakeCloud({ transitionMs: 0 });
    slow.createOutOfBand('fake.default.early', identityTags({ cluster: 'fake', namespace: 'default', name: 'early' }));
    const release = slow.holdListing();
    const started = await startFakeServer(slow);
    try {
      const ask = (path: string) => https(`${started.server.url}${path}`, { ca: started.ca, headers: { Authorization: `Bearer ${TOKEN}` } });
      for (const path of [PATH, `${PATH}?watch=true`]) {
        const refused = await ask(path);
        expect(refused.status).toBe(429);
        expect(refused.headers['retry-after']).toBe('1');
        // kube-apiserver's words, then why (start-errors.test.ts checks the reason of a failing read).
        expect(refused.json()).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', message: 'storage is (re)initializing: the first read of the AWS account has not finished' });
      }
      expect((await ask(`${PATH}/early`)).status).toBe(200);
      release();
      await started.server.ready;
      expect((await ask(PATH)).json<{ items: unknown[] }>().items).toHaveLength(1);
    } finally {
      await started.server.close();
    }
  });
});

describe('a resource AWS creates and deletes asynchronously', () => {
  test('kubectl get -w shows CREATING then ACTIVE; wait --for=condition=Ready returns once ACTIVE', async () => {
    const watch = kubectl.start(['get', 'faketables', '-w', '--output-watch-events']);
    try {
      expect(await kubectl.ok(['apply', '-f', '-'], { input: manifest('slow') })).toContain('faketable.service-operator.aws/slow created');
      expect(cloud.find('fake.default.slow')?.lifecycle.state).toBe('CREATING');
      expect(await kubectl.ok(['wait', '--for=condition=Ready', 'faketable/slow', '--timeout=30s'])).toContain('condition met');
      expect(cloud.find('fake.default.slow')?.lifecycle.state).toBe('ACTIVE');
      await watch.waitForOutput('the ACTIVE row', (out) => /MODIFIED\s+slow\s+ACTIVE\s+2/.test(out));
      expect(watch.stdout()).toMatch(/ADDED\s+slow\s+CREATING\s+2/);
    } finally {
      await watch.stop();
    }
  });

  test('DELETE answers the object with deletionTimestamp and the finalizer; GET shows it until AWS is done', async () => {
    const uid = (await request(`${PATH}/slow`)).json<{ metadata: { uid: string } }>().metadata.uid;
    const listed = (await request(PATH)).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
    const watch = await openWatch({ url: server.url, ca, token: TOKEN }, `${PATH}?watch=true&resourceVersion=${listed}`);
    try {
      const deleting = await request(`${PATH}/slow`, 'DELETE');
      expect(deleting.status).toBe(200);
      expect(deleting.json()).toMatchObject({ kind: 'FakeTable', metadata: { uid, deletionTimestamp: expect.any(String), finalizers: [AWS_FINALIZER] }, status: { state: 'DELETING' } });
      expect((await request(`${PATH}/slow`)).json()).toMatchObject({ metadata: { uid, deletionTimestamp: expect.any(String) } });

      await watch.waitFor('DELETED', (e) => e.type === 'DELETED');
      expect(watch.events.map((e) => `${e.type} ${(e.object.status as { state: string }).state}`)).toEqual(['MODIFIED DELETING', 'DELETED DELETING']);
      expect((await request(`${PATH}/slow`)).status).toBe(404);
      expect(cloud.has('fake.default.slow')).toBe(false);
    } finally {
      watch.close();
    }
  });

  test('kubectl delete waits until AWS has really removed the resource', async () => {
    await kubectl.ok(['apply', '-f', '-'], { input: manifest('doomed') });
    await kubectl.ok(['wait', '--for=condition=Ready', 'faketable/doomed', '--timeout=30s']);
    expect(await kubectl.ok(['delete', 'faketable', 'doomed', '--timeout=30s'])).toContain('deleted');
    expect(cloud.has('fake.default.doomed')).toBe(false);
    expect((await kubectl.run(['get', 'faketable', 'doomed'])).stderr).toContain('not found');
  });
});
