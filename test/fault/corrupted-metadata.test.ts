// Metadata tags that anyone allowed to tag a resource can corrupt (issue 9, finding 2): one managed
// queue whose tags decode to the wrong types, another whose tags are not ours at all. Each is
// quarantined (listed with Ready=False MetadataUnreadable, a Warning Event, a 409 saying why on GET
// and on writes); nothing else is stopped: other objects of the kind and other kinds are served, the
// resync still reports out-of-band changes, and a restarted server becomes ready.
import { DeleteQueueCommand, SQSClient, TagQueueCommand, UntagQueueCommand } from '@aws-sdk/client-sqs';
import { encodeMetadataTags, type StoredMetadata } from '../../src/aws/metadata-tags.js';
import { queueNames } from '../support/aws.js';
import { startClusterEnvironment, type ClusterEnvironment, type ProxiedUser } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';

const ADMIN: ProxiedUser = { user: 'admin', groups: ['system:masters'] };
const QUEUES = '/apis/service-operator.aws/v1alpha1/namespaces/apps/sqsqueues';
const TABLES = '/apis/service-operator.aws/v1alpha1/namespaces/apps/dynamodbs';
let cluster: ClusterEnvironment;

interface Listed {
  items: { metadata: { name: string }; status: { conditions: { type: string; status: string; reason: string; message: string }[] } }[];
}

const call = (path: string, options: { method?: string; body?: unknown; contentType?: string } = {}) => cluster.proxied(ADMIN, path, options);
const sqs = () => cluster.env.aws.client(SQSClient);
const url = (name: string) => `${cluster.env.moto.endpoint}/123456789012/corrupt_apps_${name}`;
const readyOf = async (name: string) => (await call(QUEUES)).json<Listed>().items.find((item) => item.metadata.name === name)?.status.conditions[0];

async function created(path: string, kind: string, name: string, spec: Record<string, unknown> = {}): Promise<void> {
  const response = await call(path, { method: 'POST', body: { apiVersion: 'service-operator.aws/v1alpha1', kind, metadata: { name }, spec } });
  expect([response.status, response.body.slice(0, 200)]).toEqual([201, expect.any(String)]);
}

/** Overwrites a queue's metadata tags out of band, as anyone who may tag the queue could. */
async function tagMetadata(name: string, tags: Record<string, string>): Promise<void> {
  await sqs().send(new TagQueueCommand({ QueueUrl: url(name), Tags: tags }));
}

beforeAll(async () => {
  cluster = await startClusterEnvironment({ clusterName: 'corrupt', namespaces: ['apps'], rules: [], extraArgs: ['--resync-period', '1', '--transitional-resync-period', '1'] });
  for (const name of ['mistyped', 'garbled', 'healthy', 'doomed']) await created(QUEUES, 'SQSQueue', name);
  await created(TABLES, 'DynamoDB', 'ledger', { hashAttribute: { name: 'id', type: 'S' }, billingMode: 'PAY_PER_REQUEST' });
  const mistyped = { uid: 'u-1', creationTimestamp: '2026-01-01T00:00:00Z', generation: 1, finalizers: 5 } as unknown as StoredMetadata;
  await tagMetadata('mistyped', encodeMetadataTags({ cluster: 'corrupt', namespace: 'apps', name: 'mistyped' }, mistyped, 50, 0));
  await tagMetadata('garbled', { 'service-operator.aws/meta': 'garbage' });
});

afterAll(async () => {
  await cluster?.stop();
});

test('a queue whose metadata decodes to the wrong types is quarantined: listed with a condition, a Warning Event, 409s', async () => {
  const ready = await eventually('the mistyped queue to be quarantined', async () => ((await readyOf('mistyped'))?.reason === 'MetadataUnreadable' ? readyOf('mistyped') : undefined));
  expect(ready).toMatchObject({ status: 'False', message: expect.stringContaining('finalizers is not a list of strings') });

  const get = await call(`${QUEUES}/mistyped`);
  expect([get.status, get.json<{ reason: string; message: string }>()]).toEqual([409, expect.objectContaining({ reason: 'Conflict', message: expect.stringContaining('cannot be read') })]);
  expect((await call(`${QUEUES}/mistyped`, { method: 'PATCH', body: { metadata: { labels: { a: 'b' } } }, contentType: 'application/merge-patch+json' })).status).toBe(409);
  expect((await call(`${QUEUES}/mistyped`, { method: 'DELETE' })).status).toBe(409);
  expect(await queueNames(cluster.env.aws)).toContain('corrupt_apps_mistyped');

  await eventually('a Warning Event about it', () =>
    cluster.double.list('/api/v1/namespaces/apps/events/').find((event) => event.reason === 'MetadataUnreadable' && (event.involvedObject as { name: string }).name === 'mistyped'),
  );
});

test('metadata tags that are not ours at all quarantine that one queue too; the others are served', async () => {
  await eventually('the garbled queue to be quarantined', async () => (await readyOf('garbled'))?.reason === 'MetadataUnreadable');
  expect((await call(`${QUEUES}/garbled`)).status).toBe(409);
  expect((await call(`${QUEUES}/healthy`)).status).toBe(200);
  expect((await call(TABLES)).status).toBe(200);
});

test('the resync of the kind goes on: a queue deleted out of band disappears from the list', async () => {
  await sqs().send(new DeleteQueueCommand({ QueueUrl: url('doomed') }));
  await eventually('the deleted queue to leave the list', async () => !(await call(QUEUES)).json<Listed>().items.some((item) => item.metadata.name === 'doomed'));
});

test('a restarted server becomes ready and serves every kind, quarantined objects included in lists', async () => {
  await cluster.env.restart();
  expect((await call(TABLES)).status).toBe(200);
  expect((await call(QUEUES)).json<Listed>().items.map((item) => item.metadata.name)).toEqual(['garbled', 'healthy', 'mistyped']);
});

test('removing the broken metadata tags in AWS makes the object servable again, with new metadata', async () => {
  await sqs().send(new UntagQueueCommand({ QueueUrl: url('garbled'), TagKeys: ['service-operator.aws/meta'] }));
  await eventually('the garbled queue to be served again', async () => (await call(`${QUEUES}/garbled`)).status === 200);
  expect((await call(`${QUEUES}/garbled`, { method: 'PATCH', body: { metadata: { labels: { repaired: 'yes' } } }, contentType: 'application/merge-patch+json' })).status).toBe(200);
});
