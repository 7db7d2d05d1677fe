// SNSSubscription end to end: the original operator's topic, queue and subscription manifests through
// the real kubectl; a message published to the topic arrives in the queue (moto delivers); every claim
// checked in SNS, SQS and SSM through the AWS SDK.
import { GetParameterCommand, ListTagsForResourceCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetSubscriptionAttributesCommand, PublishCommand, SetSubscriptionAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { expectUnchanged, parameterNames, subscriptionArns } from '../support/aws.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { expectFailure, Manifests } from '../support/manifests.js';

let env: TestEnvironment;
const manifests = new Manifests();
const object = (kind: string, name: string, spec: string) => `apiVersion: service-operator.aws/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
const TOPIC = object('SNSTopic', 'example-sns-topic-name', '');
const QUEUE = object('SQSQueue', 'example-sqs-queue-name', '  contentBasedDeduplication: true\n  delaySeconds: 0\n  usedeadletterQueue: false\n  visibilityTimeout: 30\n');
const SUBSCRIPTION_SPEC = '  topicName: example-sns-topic-name\n  protocol: sqs\n  endpoint: example-sqs-queue-name\n';
const SUBSCRIPTION = object('SNSSubscription', 'example-sns-subscription-name', SUBSCRIPTION_SPEC);
const ALL = manifests.file([TOPIC, QUEUE, SUBSCRIPTION].join('---\n'));
const PARAMETER = '/service-operator.aws/snssubscriptions/e2e/default/example-sns-subscription-name';

interface Subscription {
  spec: Record<string, unknown>;
  status: { arn: string; topicARN: string; pendingConfirmation: boolean };
  output: Record<string, string>;
}

const sns = () => env.aws.client(SNSClient);
const sqs = () => env.aws.client(SQSClient);
const subscription = () => env.kubectl.json<Subscription>(['get', 'subscription', 'example-sns-subscription-name']);
const queueUrl = async () => (await sqs().send(new GetQueueUrlCommand({ QueueName: 'e2e_default_example-sqs-queue-name' }))).QueueUrl as string;
const queuePolicy = async () => (await sqs().send(new GetQueueAttributesCommand({ QueueUrl: await queueUrl(), AttributeNames: ['Policy'] }))).Attributes?.Policy;
const subscriptionAttributes = async () => (await sns().send(new GetSubscriptionAttributesCommand({ SubscriptionArn: (await subscription()).status.arn }))).Attributes ?? {};

async function publishAndReceive(message: string): Promise<string | undefined> {
  await sns().send(new PublishCommand({ TopicArn: (await subscription()).status.topicARN, Message: message }));
  const received = await sqs().send(new ReceiveMessageCommand({ QueueUrl: await queueUrl(), WaitTimeSeconds: 5, MaxNumberOfMessages: 1 }));
  return received.Messages?.[0]?.Body;
}

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'e2e' });
});

afterAll(async () => {
  await env?.stop();
});

describe('SNSSubscription through kubectl', () => {
  test('the original operator\'s topic, queue and subscription apply unchanged in one go', async () => {
    const out = await env.kubectl.ok(['apply', '--validate=strict', '-f', ALL]);
    expect(out).toContain('snssubscription.service-operator.aws/example-sns-subscription-name created');
    const { spec, status, output } = await subscription();
    expect(spec).toMatchObject({ topicName: 'example-sns-topic-name', protocol: 'sqs', endpoint: 'example-sqs-queue-name', rawMessageDelivery: false });
    expect(spec.queueARN).toMatch(/^arn:aws:sqs:us-east-1:\d+:e2e_default_example-sqs-queue-name$/);
    expect(spec.topicARN).toBe(status.topicARN);
    expect(output).toEqual({ subscriptionARN: status.arn });
    expect(status.pendingConfirmation).toBe(false);
    expect(await subscriptionArns(env.aws)).toEqual([status.arn]);
    expect(await env.kubectl.ok(['apply', '-f', ALL])).toContain('snssubscription.service-operator.aws/example-sns-subscription-name unchanged');
  });

  test('the metadata lives in an SSM parameter that holds the subscription ARN, tagged with the ownership tags', async () => {
    const parameter = await env.aws.client(SSMClient).send(new GetParameterCommand({ Name: PARAMETER }));
    expect(parameter.Parameter?.Value).toBe((await subscription()).status.arn);
    const tags = (await env.aws.client(SSMClient).send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: PARAMETER }))).TagList ?? [];
    expect(tags).toContainEqual({ Key: 'service-operator.aws/name', Value: 'example-sns-subscription-name' });
    await env.kubectl.ok(['label', 'subscription', 'example-sns-subscription-name', 'team=orders']);
    expect(await env.kubectl.ok(['get', 'subscription', '-l', 'team=orders', '-o', 'name'])).toBe('snssubscription.service-operator.aws/example-sns-subscription-name\n');
  });

  test('the queue policy lets the topic send, kept apart from the queue\'s own policy', async () => {
    const policy = JSON.parse((await queuePolicy()) as string) as { Statement: { Principal: unknown; Condition: unknown }[] };
    expect(policy.Statement).toEqual([expect.objectContaining({ Principal: { Service: 'sns.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': (await subscription()).status.topicARN } } })]);
    const queue = await env.kubectl.json<{ spec: Record<string, unknown>; status: { topicsAllowed: string[] } }>(['get', 'sqs', 'example-sqs-queue-name']);
    expect(queue.spec.policy).toBeUndefined();
    expect(queue.status.topicsAllowed).toEqual([(await subscription()).status.topicARN]);
  });

  test('get and -o wide show the subscription', async () => {
    expect(await env.kubectl.ok(['get', 'snssubscriptions'])).toMatch(/example-sns-subscription-name\s+example-sns-topic-name\s+sqs\s+example-sqs-queue-name\s+false/);
    expect(await env.kubectl.ok(['get', 'subscription', '-o', 'wide'])).toMatch(/ARN\s+TOPIC ARN[\s\S]*arn:aws:sns:us-east-1:\d+:e2e_default_example-sns-topic-name:/);
  });

  test('a message published to the topic arrives in the queue', async () => {
    const body = JSON.parse((await publishAndReceive('hello from SNS')) as string) as { Type: string; Message: string };
    expect(body).toMatchObject({ Type: 'Notification', Message: 'hello from SNS' });
  });

  test('apply a change: raw delivery and a filter policy reach SNS, and raw messages arrive unwrapped', async () => {
    const changed = manifests.file(object('SNSSubscription', 'example-sns-subscription-name', `${SUBSCRIPTION_SPEC}  rawMessageDelivery: true\n  filterPolicy:\n    kind: [order]\n`));
    expect(await env.kubectl.ok(['apply', '-f', changed])).toContain('configured');
    const attrs = await subscriptionAttributes();
    expect(attrs.RawMessageDelivery).toBe('true');
    expect(JSON.parse(attrs.FilterPolicy)).toEqual({ kind: ['order'] });
    await sns().send(new PublishCommand({ TopicArn: (await subscription()).status.topicARN, Message: 'filtered out' }));
    await sns().send(new PublishCommand({ TopicArn: (await subscription()).status.topicARN, Message: 'raw order', MessageAttributes: { kind: { DataType: 'String', StringValue: 'order' } } }));
    const received = await sqs().send(new ReceiveMessageCommand({ QueueUrl: await queueUrl(), WaitTimeSeconds: 5, MaxNumberOfMessages: 10 }));
    expect(received.Messages?.map((m) => m.Body)).toEqual(['raw order']);
    expect(await env.kubectl.ok(['apply', '-f', changed])).toContain('unchanged');
  });

  test('an out-of-band change in SNS shows on the next get', async () => {
    await sns().send(new SetSubscriptionAttributesCommand({ SubscriptionArn: (await subscription()).status.arn, AttributeName: 'RawMessageDelivery', AttributeValue: 'false' }));
    expect((await subscription()).spec.rawMessageDelivery).toBe(false);
  });

  test('bad inputs are 4xx and change nothing in AWS', async () => {
    await expectUnchanged(async () => [await subscriptionArns(env.aws), await parameterNames(env.aws)], async () => {
      const noTopic = expectFailure(await env.kubectl.run(['apply', '-f', manifests.file(object('SNSSubscription', 's1', '  topicName: no-such-topic\n  protocol: sqs\n  endpoint: example-sqs-queue-name\n'))]));
      expect(noTopic).toContain('spec.topicName: Not found: "no-such-topic": no SNSTopic named "no-such-topic" exists in this namespace');
      const noQueue = expectFailure(await env.kubectl.run(['apply', '-f', manifests.file(object('SNSSubscription', 's2', '  topicName: example-sns-topic-name\n  protocol: sqs\n  endpoint: no-such-queue\n'))]));
      expect(noQueue).toContain('spec.endpoint: Not found: "no-such-queue": no SQSQueue named "no-such-queue"');
      const neither = expectFailure(await env.kubectl.run(['apply', '-f', manifests.file(object('SNSSubscription', 's3', '  protocol: email\n  endpoint: a@example.com\n'))]));
      expect(neither).toContain('spec.topicName: Required value');
      const protocol = expectFailure(await env.kubectl.run(['apply', '-f', manifests.file(object('SNSSubscription', 's4', '  topicName: example-sns-topic-name\n  protocol: carrier-pigeon\n  endpoint: x\n'))]));
      expect(protocol).toContain('spec.protocol: Unsupported value: "carrier-pigeon"');
      const duplicate = expectFailure(await env.kubectl.run(['apply', '-f', manifests.file(object('SNSSubscription', 'duplicate', SUBSCRIPTION_SPEC))]));
      expect(duplicate).toContain('SNS keeps one subscription per topic and endpoint');
      const immutable = expectFailure(await env.kubectl.run(['apply', '-f', manifests.file(object('SNSSubscription', 'example-sns-subscription-name', '  topicName: example-sns-topic-name\n  protocol: email\n  endpoint: a@example.com\n'))]));
      expect(immutable).toContain('spec.protocol: Invalid value: "email": field is immutable');
      expect(immutable).toContain('spec.endpoint: Invalid value: "a@example.com": field is immutable');
    });
  });

  test('delete removes the subscription, its parameter and the queue policy grant', async () => {
    const arn = (await subscription()).status.arn;
    expect(await env.kubectl.ok(['delete', 'subscription', 'example-sns-subscription-name'])).toContain('deleted');
    expect(await subscriptionArns(env.aws)).not.toContain(arn);
    expect(await parameterNames(env.aws)).not.toContain(PARAMETER);
    expect(await queuePolicy()).toBeUndefined();
  });

  test('the retain deletion policy keeps the subscription and releases its parameter', async () => {
    await env.kubectl.ok(['apply', '-f', manifests.file(object('SNSSubscription', 'kept', '  topicName: example-sns-topic-name\n  protocol: email\n  endpoint: ops@example.com\n').replace('metadata:\n', 'metadata:\n  annotations: {service-operator.aws/deletion-policy: retain}\n'))]);
    const arn = (await env.kubectl.json<Subscription>(['get', 'subscription', 'kept'])).status.arn;
    await env.kubectl.ok(['delete', 'subscription', 'kept']);
    expect(await subscriptionArns(env.aws)).toContain(arn);
    expect((await parameterNames(env.aws)).filter((name) => name.endsWith('/kept'))).toEqual([]);
    expect(expectFailure(await env.kubectl.run(['get', 'subscription', 'kept']))).toContain('not found');
  });

  test('deleting the topic takes its subscriptions\' objects with it', async () => {
    await env.kubectl.ok(['apply', '-f', ALL]);
    await env.kubectl.ok(['delete', 'sns', 'example-sns-topic-name']);
    expect(expectFailure(await env.kubectl.run(['get', 'subscription', 'example-sns-subscription-name']))).toContain('not found');
  });
});
