// SQSQueue end to end: the original operator's manifest through the real kubectl, dead-letter queues of
// its own and by reference, every claim checked in SQS itself through the AWS SDK.
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ListQueueTagsCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { queueNames, expectUnchanged } from '../support/aws.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { expectFailure, Manifests } from '../support/manifests.js';

let env: TestEnvironment;
const manifests = new Manifests();
const ORIGINAL_SPEC = '  contentBasedDeduplication: true\n  delaySeconds: 5\n  usedeadletterQueue: false\n  maximumMessageSize: 262144\n  messageRetentionPeriod: 345600\n  visibilityTimeout: 30\n';
const ORIGINAL = manifests.object('SQSQueue', 'example-sqs-queue-name', ORIGINAL_SPEC);
const QUEUE = 'e2e_default_example-sqs-queue-name';

const client = () => env.aws.client(SQSClient);
const urlOf = async (name: string) => (await client().send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl as string;
const attributesOf = async (name: string) => (await client().send(new GetQueueAttributesCommand({ QueueUrl: await urlOf(name), AttributeNames: ['All'] }))).Attributes ?? {};

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'e2e' });
});

afterAll(async () => {
  await env?.stop();
});

describe('SQSQueue through kubectl', () => {
  test('the original operator\'s manifest applies unchanged and creates the queue with its attributes', async () => {
    expect(await env.kubectl.ok(['apply', '--validate=strict', '-f', ORIGINAL])).toContain('sqsqueue.service-operator.aws/example-sqs-queue-name created');
    const attrs = await attributesOf(QUEUE);
    expect(attrs).toMatchObject({ DelaySeconds: '5', MaximumMessageSize: '262144', MessageRetentionPeriod: '345600', VisibilityTimeout: '30' });
    expect(attrs.RedrivePolicy).toBeUndefined();
    // contentBasedDeduplication means nothing on a standard queue: re-applying changes nothing.
    await env.kubectl.ok(['apply', '-f', ORIGINAL]);
    expect(await env.kubectl.ok(['get', 'sqs', 'example-sqs-queue-name', '-o', 'jsonpath={.metadata.generation}'])).toBe('1');
  });

  test('get, -o yaml and -o wide show the queue and the original operator\'s six outputs', async () => {
    expect(await env.kubectl.ok(['get', 'queues'])).toMatch(/example-sqs-queue-name\s+e2e_default_example-sqs-queue-name\s+false\s+30\s/);
    const object = await env.kubectl.json<{ output: Record<string, string> }>(['get', 'sqs', 'example-sqs-queue-name']);
    expect(object.output).toEqual({
      queueURL: await urlOf(QUEUE),
      queueARN: (await attributesOf(QUEUE)).QueueArn,
      queueName: QUEUE,
      deadLetterQueueURL: '',
      deadLetterQueueARN: '',
      deadLetterQueueName: '',
    });
    const yaml = await env.kubectl.ok(['get', 'sqsqueue', 'example-sqs-queue-name', '-o', 'yaml']);
    expect(yaml).toContain('usedeadletterQueue: false');
    expect(yaml).toContain('type: SQS');
    expect(await env.kubectl.ok(['get', 'queue', '-o', 'wide'])).toMatch(/URL\s+ARN\s+ENCRYPTION/);
  });

  test('apply a change: visibility timeout, and usedeadletterQueue makes a dead-letter queue of its own', async () => {
    const changed = manifests.object('SQSQueue', 'example-sqs-queue-name', ORIGINAL_SPEC.replace('usedeadletterQueue: false', 'usedeadletterQueue: true').replace('visibilityTimeout: 30', 'visibilityTimeout: 45'));
    expect(await env.kubectl.ok(['apply', '-f', changed])).toContain('configured');
    const attrs = await attributesOf(QUEUE);
    expect(attrs.VisibilityTimeout).toBe('45');
    const dlqArn = (await attributesOf(`${QUEUE}-dlq`)).QueueArn;
    expect(JSON.parse(attrs.RedrivePolicy as string)).toEqual({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 });
    const output = await env.kubectl.json<{ output: Record<string, string> }>(['get', 'sqs', 'example-sqs-queue-name']);
    expect(output.output.deadLetterQueueName).toBe(`${QUEUE}-dlq`);
    expect(output.output.deadLetterQueueARN).toBe(dlqArn);
    // The dead-letter queue the server made is shown in the spec's own form: applying again changes nothing.
    expect(await env.kubectl.ok(['apply', '-f', changed])).toContain('unchanged');
    expect(await env.kubectl.ok(['get', 'sqs', 'example-sqs-queue-name', '-o', 'jsonpath={.metadata.generation}'])).toBe('2');
  });

  test('an out-of-band change in SQS shows on the next get', async () => {
    await client().send(new SetQueueAttributesCommand({ QueueUrl: await urlOf(QUEUE), Attributes: { VisibilityTimeout: '99' } }));
    expect(await env.kubectl.ok(['get', 'sqs', 'example-sqs-queue-name', '-o', 'jsonpath={.spec.visibilityTimeout}'])).toBe('99');
  });

  test('a dead-letter queue by reference to another SQSQueue object is resolved to its ARN', async () => {
    await env.kubectl.ok(['apply', '-f', manifests.object('SQSQueue', 'failures', '  messageRetentionPeriod: 1209600\n')]);
    const worker = manifests.object('SQSQueue', 'worker', '  deadLetterQueue:\n    name: failures\n    maxReceiveCount: 3\n');
    await env.kubectl.ok(['apply', '-f', worker]);
    const failuresArn = (await attributesOf('e2e_default_failures')).QueueArn;
    expect(JSON.parse((await attributesOf('e2e_default_worker')).RedrivePolicy as string)).toEqual({ deadLetterTargetArn: failuresArn, maxReceiveCount: 3 });
    expect(await env.kubectl.json<{ spec: { deadLetterQueue: unknown } }>(['get', 'sqs', 'worker'])).toMatchObject({ spec: { deadLetterQueue: { name: 'failures', arn: failuresArn, maxReceiveCount: 3 } } });
    expect(await env.kubectl.ok(['apply', '-f', worker])).toContain('unchanged');
    // By ARN, the server finds the object's name from the queue's ownership tags.
    await env.kubectl.ok(['apply', '-f', manifests.object('SQSQueue', 'by-arn', `  deadLetterQueue: {arn: "${failuresArn}"}\n`)]);
    expect(await env.kubectl.ok(['get', 'sqs', 'by-arn', '-o', 'jsonpath={.spec.deadLetterQueue.name}'])).toBe('failures');
  });

  test('bad inputs are 4xx and create nothing in SQS', async () => {
    await expectUnchanged(() => queueNames(env.aws), async () => {
      const dangling = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('SQSQueue', 'dangling', '  deadLetterQueue: {name: no-such-queue}\n')]));
      expect(dangling).toContain('spec.deadLetterQueue.name: Not found: "no-such-queue": no SQSQueue named "no-such-queue" exists in this namespace');
      const badName = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('SQSQueue', 'bad-name', '  queueName: "has.dot"\n')]));
      expect(badName).toContain('spec.queueName');
      const fifoName = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('SQSQueue', 'bad-fifo', '  queueName: plain\n  fifoQueue: true\n')]));
      expect(fifoName).toContain('followed by ".fifo"');
      const range = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('SQSQueue', 'bad-range', '  visibilityTimeout: 50000\n')]));
      expect(range).toContain('spec.visibilityTimeout');
      const both = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('SQSQueue', 'bad-both', '  usedeadletterQueue: true\n  deadLetterQueue: {name: failures}\n')]));
      expect(both).toContain('spec.deadLetterQueue: Forbidden');
    });
    const immutable = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('SQSQueue', 'worker', '  queueName: renamed\n  deadLetterQueue: {name: failures, maxReceiveCount: 3}\n')]));
    expect(immutable).toContain('spec.queueName: Invalid value: "renamed": field is immutable');
  });

  test('a FIFO queue gets a ".fifo" default name, and a FIFO dead-letter queue of its own', async () => {
    await env.kubectl.ok(['apply', '-f', manifests.object('SQSQueue', 'ordered', '  fifoQueue: true\n  contentBasedDeduplication: true\n  usedeadletterQueue: true\n')]);
    expect(await queueNames(env.aws)).toEqual(expect.arrayContaining(['e2e_default_ordered.fifo', 'e2e_default_ordered-dlq.fifo']));
    expect((await attributesOf('e2e_default_ordered.fifo')).ContentBasedDeduplication).toBe('true');
  });

  test('delete removes the queue, and its own dead-letter queue with it', async () => {
    expect(await env.kubectl.ok(['delete', '-f', ORIGINAL])).toContain('deleted');
    await env.kubectl.ok(['delete', 'sqs', 'ordered']);
    const names = await queueNames(env.aws);
    expect(names).not.toContain(QUEUE);
    expect(names).not.toContain(`${QUEUE}-dlq`);
    expect(names).not.toContain('e2e_default_ordered-dlq.fifo');
    expect(expectFailure(await env.kubectl.run(['get', 'sqs', 'example-sqs-queue-name']))).toContain('not found');
  });

  test('the retain deletion policy keeps the queue and drops only the ownership tags', async () => {
    await env.kubectl.ok(['apply', '-f', manifests.object('SQSQueue', 'kept', '', '  annotations: {service-operator.aws/deletion-policy: retain}\n')]);
    await env.kubectl.ok(['delete', 'sqs', 'kept']);
    expect(await queueNames(env.aws)).toContain('e2e_default_kept');
    const tags = (await client().send(new ListQueueTagsCommand({ QueueUrl: await urlOf('e2e_default_kept') }))).Tags ?? {};
    // Only the mark that lets this namespace, and no other, adopt it again (docs/security.md).
    expect(Object.entries(tags).filter(([key]) => key.startsWith('service-operator.aws/'))).toEqual([['service-operator.aws/retained', 'e2e/default/kept']]);
    expect(expectFailure(await env.kubectl.run(['get', 'sqs', 'kept']))).toContain('not found');
  });

  test('a physical name taken by a resource this server does not manage is 409, and it is left alone', async () => {
    await client().send(new CreateQueueCommand({ QueueName: 'taken-queue' }));
    const result = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('SQSQueue', 'adopter', '  queueName: taken-queue\n')]));
    expect(result).toContain('already exists');
    expect(result).toContain('not managed by this server');
  });
});
