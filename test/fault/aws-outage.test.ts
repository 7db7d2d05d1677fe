// AWS misbehaving between the server and moto (issue 9, findings 3 and 9): a call that hangs, AWS
// unreachable and back, a throttling storm, S3 throttling a HEAD. What a client sees is a Status with Retry-After within
// the request's deadline, open watches stay open, one kind's trouble holds up no other kind, and the
// server recovers by itself.
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { queueNames } from '../support/aws.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { eventually } from '../support/eventually.js';
import { operation, THROTTLED, type FaultProxy } from '../support/fault-proxy.js';
import { seedFrom } from '../support/random.js';
import { openWatch } from '../support/watch.js';

const GROUP = '/apis/service-operator.aws/v1alpha1/namespaces/default';
const SEED = seedFrom(9);
let env: TestEnvironment;
let proxy: FaultProxy;

const object = (kind: string, name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'service-operator.aws/v1alpha1', kind, metadata: { name }, spec });
const TABLE_SPEC = { hashAttribute: { name: 'id', type: 'S' }, billingMode: 'PAY_PER_REQUEST' };

async function create(plural: string, body: ReturnType<typeof object>): Promise<number> {
  return (await env.request(`${GROUP}/${plural}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).status;
}

function expectRetryable(response: { status: number; headers: Record<string, unknown>; json<T>(): T }, codes: number[]): void {
  expect(codes).toContain(response.status);
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  expect(response.json()).toMatchObject({ kind: 'Status', code: response.status });
}

beforeAll(async () => {
  env = await startEnvironment({
    clusterName: 'outage',
    faults: { seed: SEED },
    extraArgs: ['--request-timeout', '4', '--aws-call-timeout', '1', '--resync-period', '1', '--transitional-resync-period', '1'],
  });
  proxy = env.proxy as FaultProxy;
});

afterEach(() => proxy.clear());

afterAll(async () => {
  await env?.stop();
});

test(`a hung AWS call ends in a Status within the request's deadline, and holds up no other kind's resync (seed ${SEED})`, async () => {
  expect(await create('sqsqueues', object('SQSQueue', 'slow'))).toBe(201);
  expect(await create('dynamodbs', object('DynamoDB', 'fast', TABLE_SPEC))).toBe(201);
  proxy.add({ matches: operation('GetQueueAttributes'), fault: { kind: 'hang' } });

  expectRetryable(await env.request(`${GROUP}/sqsqueues/slow`), [503, 504]);

  // While every SQS read hangs, a table deleted in DynamoDB directly is still noticed.
  await env.aws.client(DynamoDBClient).send(new DeleteTableCommand({ TableName: 'outage.default.fast' }));
  await eventually('the out-of-band table deletion to show', async () => (await env.request(`${GROUP}/dynamodbs`)).json<{ items: unknown[] }>().items.length === 0);

  proxy.clear();
  expect((await env.request(`${GROUP}/sqsqueues/slow`)).status).toBe(200);
});

test('AWS unreachable: 503 with Retry-After, nothing half made, open watches stay open, and it recovers', async () => {
  const watch = await openWatch({ url: env.server.url, ca: env.server.ca, token: env.server.token }, `${GROUP}/dynamodbs?watch=1`);
  proxy.down();
  expectRetryable(await env.request(`${GROUP}/dynamodbs/missing`), [503, 504]);
  expectRetryable(await env.request(`${GROUP}/dynamodbs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(object('DynamoDB', 'during', TABLE_SPEC)) }), [503, 504]);
  proxy.up();

  expect(await create('dynamodbs', object('DynamoDB', 'during', TABLE_SPEC))).toBe(201);
  await watch.waitFor('ADDED during, on the watch opened before the outage', (event) => event.type === 'ADDED' && event.object.metadata?.name === 'during');
  expect(watch.ended()).toBe(false);
  watch.close();
});

test(`a throttling storm (half of all AWS calls, seed ${SEED}): a create makes its object or leaves none; retried, each is made once`, async () => {
  const names = Array.from({ length: 8 }, (_, i) => `storm-${i}`);
  const calm = proxy.add({ matches: () => true, probability: 0.5, fault: THROTTLED });
  // One after another, so that the seeded faults fall on the same calls every run.
  const statuses: number[] = [];
  for (const name of names) statuses.push(await create('sqsqueues', object('SQSQueue', name)));
  calm();
  const listed = (await env.request(`${GROUP}/sqsqueues`)).json<{ items: { metadata: { name: string } }[] }>().items.map((item) => item.metadata.name);
  for (const [i, name] of names.entries()) {
    if (statuses[i] === 201) {
      expect(listed).toContain(name);
      continue;
    }
    // Refused under the storm: no object, whatever AWS had already made for it.
    expect([429, 503, 504]).toContain(statuses[i]);
    expect(listed).not.toContain(name);
    expect((await env.request(`${GROUP}/sqsqueues/${name}`)).status).toBe(404);
    expect(await create('sqsqueues', object('SQSQueue', name))).toBe(201);
  }
  expect((await queueNames(env.aws)).filter((queue) => queue.startsWith('outage_default_storm-'))).toHaveLength(names.length);
});

test('S3 throttling a HEAD (503 SlowDown, no body) is a 429 with Retry-After', async () => {
  expect(await create('s3buckets', object('S3Bucket', 'logs'))).toBe(201);
  proxy.add({ matches: operation('HeadBucket'), fault: { kind: 'error', status: 503, code: 'SlowDown' } });
  const throttled = await env.request(`${GROUP}/s3buckets/logs`);
  expectRetryable(throttled, [429]);
  expect(throttled.json<{ reason: string }>().reason).toBe('TooManyRequests');
});
