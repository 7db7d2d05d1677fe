// Cross-namespace takeover and name squatting (issue 9, finding 1), for every kind and every field that
// names another AWS resource. team-b's resources exist first; team-a tries to take them over, squat
// their names (before or after they exist), or wire them into its own. Every attempt is refused before
// AWS changes (the fault proxy counts every mutating call), and team-b's objects stay as they were.
import { GetQueueUrlCommand, ListQueueTagsCommand, SQSClient } from '@aws-sdk/client-sqs';
import { TOPIC_TEMPLATE } from '../support/aws.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import type { FaultProxy } from '../support/fault-proxy.js';

const CLUSTER = 'squat';
const base = (namespace: string, plural: string) => `/apis/service-operator.aws/v1alpha1/namespaces/${namespace}/${plural}`;
const KINDS: Record<string, string> = {
  dynamodbs: 'DynamoDB',
  s3buckets: 'S3Bucket',
  sqsqueues: 'SQSQueue',
  snstopics: 'SNSTopic',
  ecrrepositories: 'ECRRepository',
  snssubscriptions: 'SNSSubscription',
  elasticaches: 'ElastiCache',
  cloudformationstacks: 'CloudFormationStack',
  cloudformationtemplates: 'CloudFormationTemplate',
};
const TABLE = { hashAttribute: { name: 'id', type: 'S' }, billingMode: 'PAY_PER_REQUEST' };
const CACHE = { engine: 'redis', cacheNodeType: 'cache.t3.micro' };
const STACK = { template: TOPIC_TEMPLATE };

let env: TestEnvironment;
let proxy: FaultProxy;
const b: Record<string, { status: Record<string, string> }> = {};

interface Response {
  status: number;
  body: string;
  json<T>(): T;
}

function send(method: string, namespace: string, plural: string, name: string | undefined, body: unknown, contentType = 'application/json'): Promise<Response> {
  return env.request(`${base(namespace, plural)}${name ? `/${name}` : ''}`, { method, headers: { 'Content-Type': contentType }, body: JSON.stringify(body) });
}

const create = (namespace: string, plural: string, name: string, spec: Record<string, unknown>) =>
  send('POST', namespace, plural, undefined, { apiVersion: 'service-operator.aws/v1alpha1', kind: KINDS[plural], metadata: { name }, [plural === 'cloudformationtemplates' ? 'data' : 'spec']: spec });

async function created(namespace: string, plural: string, name: string, spec: Record<string, unknown> = {}): Promise<{ status: Record<string, string> }> {
  const response = await create(namespace, plural, name, spec);
  expect([response.status, response.body.slice(0, 300)]).toEqual([201, expect.any(String)]);
  return response.json();
}

/** Runs a request that must be refused with `code` (and, for 422, on `field`), and checks AWS was not changed. */
async function refused(request: () => Promise<Response>, code: number, field?: string): Promise<string> {
  const mark = proxy.mutations();
  const response = await request();
  expect([response.status, response.body.slice(0, 400)]).toEqual([code, expect.any(String)]);
  if (field) expect(response.json<{ details: { causes: { field: string }[] } }>().details.causes.map((c) => c.field)).toContain(field);
  expect(proxy.mutations()).toBe(mark);
  return response.json<{ message: string }>().message;
}

const queueTags = async (name: string) => {
  const sqs = env.aws.client(SQSClient);
  const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  return (await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags;
};

beforeAll(async () => {
  env = await startEnvironment({ clusterName: CLUSTER, faults: { seed: 1 }, fillMotoGaps: true });
  proxy = env.proxy as FaultProxy;
  b.table = await created('team-b', 'dynamodbs', 'orders', TABLE);
  b.bucket = await created('team-b', 's3buckets', 'logs');
  b.queue = await created('team-b', 'sqsqueues', 'inbox', { usedeadletterQueue: true });
  b.jobsDlq = await created('team-b', 'sqsqueues', 'jobs-dlq', { queueName: 'jobs-dlq', messageRetentionPeriod: 1209600 });
  b.worker = await created('team-b', 'sqsqueues', 'worker', { queueName: 'work', usedeadletterQueue: true });
  b.topic = await created('team-b', 'snstopics', 'alerts');
  b.repository = await created('team-b', 'ecrrepositories', 'images');
  b.ledger = await created('team-b', 'dynamodbs', 'ledger', { ...TABLE, tableName: 'shared-ledger' });
  b.cache = await created('team-b', 'elasticaches', 'cache', CACHE);
  b.stack = await created('team-b', 'cloudformationstacks', 'infra', STACK);
  b.template = await created('team-b', 'cloudformationtemplates', 'shared', { key: 'shared.yaml', ...STACK });
  await created('team-a', 'sqsqueues', 'mine');
  await created('team-a', 's3buckets', 'own-bucket');
});

afterAll(async () => {
  await env?.stop();
});

describe("explicit physical names may not squat another namespace's default names", () => {
  test.each([
    ['dynamodbs', 'tableName', () => b.table.status.tableName, TABLE],
    ['s3buckets', 'bucketName', () => b.bucket.status.bucketName, {}],
    ['sqsqueues', 'queueName', () => b.queue.status.queueName, {}],
    ['snstopics', 'topicName', () => b.topic.status.topicName, {}],
    ['ecrrepositories', 'repositoryName', () => b.repository.status.repositoryName, {}],
    ['elasticaches', 'cacheClusterId', () => b.cache.status.cacheClusterId, CACHE],
    ['cloudformationstacks', 'stackName', () => b.stack.status.stackName, STACK],
  ])('%s: the default name of an existing object is a 422 on spec.%s', async (plural, field, taken, spec) => {
    await refused(() => create('team-a', plural, 'squatter', { ...spec, [field]: taken() }), 422, `spec.${field}`);
  });

  test('nor one whose object does not exist yet: that object still gets its default name later', async () => {
    await refused(() => create('team-a', 'dynamodbs', 'early', { ...TABLE, tableName: `${CLUSTER}.team-b.later` }), 422, 'spec.tableName');
    await refused(() => create('team-a', 'sqsqueues', 'early', { queueName: `${CLUSTER}_team-b_later` }), 422, 'spec.queueName');
    await created('team-b', 'dynamodbs', 'later', TABLE);
    await created('team-b', 'sqsqueues', 'later');
  });

  test("nor the name of the server's own bucket, which holds every namespace's templates", async () => {
    const serverBucket = (await env.request(`${base('team-b', 'cloudformationtemplates')}/shared`)).json<{ status: { bucketName: string } }>().status.bucketName;
    expect(serverBucket).toMatch(/^aws-service-apiserver-/);
    await refused(() => create('team-a', 's3buckets', 'server', { bucketName: serverBucket }), 422, 'spec.bucketName');
    await refused(() => create('team-a', 's3buckets', 'early', { bucketName: 'aws-service-apiserver-000000000000-us-east-1-0123abcd' }), 422, 'spec.bucketName');
  });

  test("template keys are their namespace's: the same key in another namespace is another template", async () => {
    await created('team-a', 'cloudformationtemplates', 'shared', { key: 'shared.yaml', template: 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n' });
    const theirs = (await env.request(`${base('team-b', 'cloudformationtemplates')}/shared`)).json<{ data: { template: string } }>();
    expect(theirs.data.template).toBe(STACK.template);
    await refused(() => create('team-a', 'cloudformationtemplates', 'escape', { key: '../team-b/shared.yaml', ...STACK }), 422, 'data.key');
  });

  test('an explicit name another namespace holds is a 409 naming the holder', async () => {
    expect(await refused(() => create('team-a', 'dynamodbs', 'copy', { ...TABLE, tableName: 'shared-ledger' }), 409)).toContain('belongs to dynamodb "ledger" in namespace "team-b"');
  });
});

describe('resources an object makes besides its own', () => {
  test("a queue's own dead-letter queue may not be another namespace's queue: 409, and that queue keeps its tags", async () => {
    const before = await queueTags('jobs-dlq');
    expect(await refused(() => create('team-a', 'sqsqueues', 'jobs', { queueName: 'jobs', usedeadletterQueue: true }), 409)).toContain('belongs to sqsqueue "jobs-dlq" in namespace "team-b"');
    expect(await queueTags('jobs-dlq')).toEqual(before);
    expect((await env.request(`${base('team-b', 'sqsqueues')}/jobs-dlq`)).status).toBe(200);
  });

  test('nor turned on later for a queue whose dead-letter queue name another namespace holds', async () => {
    await created('team-a', 'sqsqueues', 'late', { queueName: 'jobs' });
    await refused(() => send('PATCH', 'team-a', 'sqsqueues', 'late', { spec: { usedeadletterQueue: true } }, 'application/merge-patch+json'), 409);
  });

  test("another object's own dead-letter queue is its part, not a queue to take: 409 naming it", async () => {
    expect(b.worker.status.deadLetterQueueName).toBe('work-dlq');
    expect(await refused(() => create('team-a', 'sqsqueues', 'takeover', { queueName: 'work-dlq' }), 409)).toContain('belongs to sqsqueue "worker" in namespace "team-b" (its dead-letter-queue)');
  });
});

describe("no field may wire in another namespace's resource, on create or on update", () => {
  test.each([
    ['sqsqueues', 'spec.deadLetterQueue.arn', { deadLetterQueue: { arn: () => b.queue.status.arn } }],
    ['s3buckets', 'spec.logging.targetBucket', { logging: { enabled: true, targetBucket: () => b.bucket.status.bucketName } }],
    ['snssubscriptions', 'spec.topicARN', { topicARN: () => b.topic.status.arn, protocol: 'sqs', endpoint: 'mine' }],
    ['snssubscriptions', 'spec.endpoint', { topicName: 'news', protocol: 'sqs', endpoint: () => b.queue.status.arn }],
    ['snssubscriptions', 'spec.deadLetterQueue.arn', { topicName: 'news', protocol: 'sqs', endpoint: 'mine', deadLetterQueue: { arn: () => b.queue.status.arn } }],
    ['elasticaches', 'spec.notificationTopicArn', { ...CACHE, notificationTopicArn: () => b.topic.status.arn }],
  ])("%s: %s naming another namespace's resource is a 422 on that field", async (plural, field, template) => {
    if (plural === 'snssubscriptions' && !b.news) b.news = await created('team-a', 'snstopics', 'news');
    await refused(() => create('team-a', plural, 'wired', resolve(template)), 422, field);
  });

  test('a change that adds such a link is refused the same way', async () => {
    await refused(() => send('PATCH', 'team-a', 'sqsqueues', 'mine', { spec: { deadLetterQueue: { arn: b.queue.status.arn } } }, 'application/merge-patch+json'), 422, 'spec.deadLetterQueue.arn');
    await refused(() => send('PATCH', 'team-a', 's3buckets', 'own-bucket', { spec: { logging: { enabled: true, targetBucket: b.bucket.status.bucketName } } }, 'application/merge-patch+json'), 422, 'spec.logging.targetBucket');
  });

  test("team-b's objects are all still there, unchanged", async () => {
    const objects = [['dynamodbs', 'orders'], ['s3buckets', 'logs'], ['sqsqueues', 'inbox'], ['snstopics', 'alerts'], ['ecrrepositories', 'images'], ['elasticaches', 'cache'], ['cloudformationstacks', 'infra'], ['cloudformationtemplates', 'shared']];
    for (const [plural, name] of objects) {
      expect((await env.request(`${base('team-b', plural)}/${name}`)).status).toBe(200);
    }
  });
});

/** A spec template whose functions give values known only once the setup ran. */
function resolve(template: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, typeof value === 'function' ? (value as () => unknown)() : value && typeof value === 'object' ? resolve(value as Record<string, unknown>) : value]));
}
