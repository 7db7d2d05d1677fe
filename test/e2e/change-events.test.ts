// Change-driven drift detection end to end: AWS call event → EventBridge rule → SQS queue → the
// server's targeted re-read → a watch event, for every kind, for changes tags do not show and for
// deletions. moto has EventBridge and SQS (and delivers a rule's matches to its SQS target) but does
// not emit CloudTrail events, so this test puts CloudTrail-shaped "AWS API Call via CloudTrail" events
// on the default bus itself, right after making each change directly in moto, the way CloudTrail would
// report that call. The resync runs once an hour here, so only the events can explain what watchers see.
import { DeleteTableCommand, DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteRepositoryCommand, ECRClient, PutImageTagMutabilityCommand } from '@aws-sdk/client-ecr';
import { DeleteCacheClusterCommand, ElastiCacheClient, ModifyCacheClusterCommand } from '@aws-sdk/client-elasticache';
import { CloudFormationClient, DeleteStackCommand, UpdateTerminationProtectionCommand } from '@aws-sdk/client-cloudformation';
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteBucketCommand, DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteTopicCommand, SetSubscriptionAttributesCommand, SetTopicAttributesCommand, SNSClient, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../src/aws/clients.js';
import { createOwnedTable } from '../support/aws.js';
import { reportCall } from '../support/cloudtrail.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { eventually } from '../support/eventually.js';
import { Manifests } from '../support/manifests.js';
import { openWatch, type OpenWatch, type WatchEvent } from '../support/watch.js';

const QUEUE = 'aws-service-apiserver-events-test';
const GROUP = '/apis/service-operator.aws/v1alpha1/namespaces/default';
let env: TestEnvironment;
const manifests = new Manifests();
const watches = new Map<string, OpenWatch>();

type Rendered = { metadata: { name: string }; spec: Record<string, unknown>; data?: Record<string, unknown>; status: Record<string, unknown> };

/** One kind: an object to create, a change made directly in AWS that no tag shows, its deletion, and the calls' CloudTrail words. */
interface Case {
  plural: string;
  manifest: string;
  service: string;
  change: { call: string; make(aws: AwsClients, object: Rendered): Promise<unknown>; parameters(object: Rendered): Record<string, unknown>; shows(object: Rendered): boolean };
  remove: { call: string; make(aws: AwsClients, object: Rendered): Promise<unknown>; parameters(object: Rendered): Record<string, unknown> };
}

const manifest = (kind: string, name: string, spec: string) => `apiVersion: service-operator.aws/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${spec}`;
const status = (object: Rendered, field: string) => object.status[field] as string;
/** The queue URL as AWS itself writes it in CloudTrail, not moto's: the server must match the queue by name. */
const awsQueueUrl = (object: Rendered) => `https://sqs.us-east-1.amazonaws.com/123456789012/${status(object, 'queueName')}`;

const CASES: Case[] = [
  {
    plural: 'dynamodbs',
    manifest: manifest('DynamoDB', 'drift-table', 'spec:\n  hashAttribute: {name: id, type: S}\n  readCapacityUnits: 5\n  writeCapacityUnits: 5\n'),
    service: 'dynamodb',
    change: {
      call: 'UpdateTable',
      make: (aws, o) => aws.client(DynamoDBClient).send(new UpdateTableCommand({ TableName: status(o, 'tableName'), ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 5 } })),
      parameters: (o) => ({ tableName: status(o, 'tableName'), provisionedThroughput: { readCapacityUnits: 7, writeCapacityUnits: 5 } }),
      shows: (o) => o.spec.readCapacityUnits === 7,
    },
    remove: { call: 'DeleteTable', make: (aws, o) => aws.client(DynamoDBClient).send(new DeleteTableCommand({ TableName: status(o, 'tableName') })), parameters: (o) => ({ tableName: status(o, 'tableName') }) },
  },
  {
    plural: 's3buckets',
    manifest: manifest('S3Bucket', 'drift-bucket', 'spec:\n  versioning: false\n'),
    service: 's3',
    change: {
      call: 'PutBucketVersioning',
      make: (aws, o) => aws.client(S3Client).send(new PutBucketVersioningCommand({ Bucket: status(o, 'bucketName'), VersioningConfiguration: { Status: 'Enabled' } })),
      parameters: (o) => ({ bucketName: status(o, 'bucketName'), VersioningConfiguration: { Status: 'Enabled' } }),
      shows: (o) => o.spec.versioning === true,
    },
    remove: { call: 'DeleteBucket', make: (aws, o) => aws.client(S3Client).send(new DeleteBucketCommand({ Bucket: status(o, 'bucketName') })), parameters: (o) => ({ bucketName: status(o, 'bucketName') }) },
  },
  {
    plural: 'sqsqueues',
    manifest: manifest('SQSQueue', 'drift-queue', 'spec:\n  visibilityTimeout: 30\n'),
    service: 'sqs',
    change: {
      call: 'SetQueueAttributes',
      make: (aws, o) => aws.client(SQSClient).send(new SetQueueAttributesCommand({ QueueUrl: status(o, 'queueURL'), Attributes: { VisibilityTimeout: '45' } })),
      parameters: (o) => ({ queueUrl: awsQueueUrl(o), attributes: { VisibilityTimeout: '45' } }),
      shows: (o) => o.spec.visibilityTimeout === 45,
    },
    remove: { call: 'DeleteQueue', make: (aws, o) => aws.client(SQSClient).send(new DeleteQueueCommand({ QueueUrl: status(o, 'queueURL') })), parameters: (o) => ({ queueUrl: awsQueueUrl(o) }) },
  },
  {
    plural: 'snstopics',
    manifest: manifest('SNSTopic', 'drift-topic', 'spec:\n  displayName: before\n'),
    service: 'sns',
    change: {
      call: 'SetTopicAttributes',
      make: (aws, o) => aws.client(SNSClient).send(new SetTopicAttributesCommand({ TopicArn: status(o, 'arn'), AttributeName: 'DisplayName', AttributeValue: 'after' })),
      parameters: (o) => ({ topicArn: status(o, 'arn'), attributeName: 'DisplayName', attributeValue: 'after' }),
      shows: (o) => o.spec.displayName === 'after',
    },
    remove: { call: 'DeleteTopic', make: (aws, o) => aws.client(SNSClient).send(new DeleteTopicCommand({ TopicArn: status(o, 'arn') })), parameters: (o) => ({ topicArn: status(o, 'arn') }) },
  },
  {
    plural: 'snssubscriptions',
    manifest: manifest('SNSSubscription', 'drift-subscription', 'spec:\n  topicName: feed-topic\n  protocol: sqs\n  endpoint: feed-queue\n'),
    service: 'sns',
    change: {
      call: 'SetSubscriptionAttributes',
      make: (aws, o) => aws.client(SNSClient).send(new SetSubscriptionAttributesCommand({ SubscriptionArn: status(o, 'arn'), AttributeName: 'RawMessageDelivery', AttributeValue: 'true' })),
      parameters: (o) => ({ subscriptionArn: status(o, 'arn'), attributeName: 'RawMessageDelivery', attributeValue: 'true' }),
      shows: (o) => o.spec.rawMessageDelivery === true,
    },
    remove: { call: 'Unsubscribe', make: (aws, o) => aws.client(SNSClient).send(new UnsubscribeCommand({ SubscriptionArn: status(o, 'arn') })), parameters: (o) => ({ subscriptionArn: status(o, 'arn') }) },
  },
  {
    plural: 'ecrrepositories',
    manifest: manifest('ECRRepository', 'drift-repository', 'spec:\n  imageTagMutability: MUTABLE\n'),
    service: 'ecr',
    change: {
      call: 'PutImageTagMutability',
      make: (aws, o) => aws.client(ECRClient).send(new PutImageTagMutabilityCommand({ repositoryName: status(o, 'repositoryName'), imageTagMutability: 'IMMUTABLE' })),
      parameters: (o) => ({ repositoryName: status(o, 'repositoryName'), imageTagMutability: 'IMMUTABLE' }),
      shows: (o) => o.spec.imageTagMutability === 'IMMUTABLE',
    },
    remove: { call: 'DeleteRepository', make: (aws, o) => aws.client(ECRClient).send(new DeleteRepositoryCommand({ repositoryName: status(o, 'repositoryName') })), parameters: (o) => ({ repositoryName: status(o, 'repositoryName') }) },
  },
  {
    plural: 'elasticaches',
    manifest: manifest('ElastiCache', 'drift-cache', 'spec:\n  engine: redis\n  cacheNodeType: cache.t3.micro\n  snapshotRetentionLimit: 1\n'),
    service: 'elasticache',
    change: {
      call: 'ModifyCacheCluster',
      make: (aws, o) => aws.client(ElastiCacheClient).send(new ModifyCacheClusterCommand({ CacheClusterId: status(o, 'cacheClusterId'), SnapshotRetentionLimit: 3 })),
      parameters: (o) => ({ cacheClusterId: status(o, 'cacheClusterId'), snapshotRetentionLimit: 3 }),
      shows: (o) => o.spec.snapshotRetentionLimit === 3,
    },
    remove: { call: 'DeleteCacheCluster', make: (aws, o) => aws.client(ElastiCacheClient).send(new DeleteCacheClusterCommand({ CacheClusterId: status(o, 'cacheClusterId') })), parameters: (o) => ({ cacheClusterId: status(o, 'cacheClusterId') }) },
  },
  {
    plural: 'cloudformationtemplates',
    manifest: manifest('CloudFormationTemplate', 'drift-template', 'data:\n  key: drift.yaml\n  template: |\n    Resources:\n      Topic: {Type: "AWS::SNS::Topic"}\n'),
    service: 's3',
    change: {
      // The template's object in the server's bucket, overwritten: an S3 data event (a trail must log them).
      call: 'PutObject',
      make: (aws, o) => aws.client(S3Client).send(new PutObjectCommand({ Bucket: status(o, 'bucketName'), Key: status(o, 'objectKey'), Body: 'Resources:\n  Queue: {Type: "AWS::SQS::Queue"}\n' })),
      parameters: (o) => ({ bucketName: status(o, 'bucketName'), key: status(o, 'objectKey') }),
      shows: (o) => String(o.data?.template).includes('AWS::SQS::Queue'),
    },
    remove: { call: 'DeleteObject', make: (aws, o) => aws.client(S3Client).send(new DeleteObjectCommand({ Bucket: status(o, 'bucketName'), Key: status(o, 'objectKey') })), parameters: (o) => ({ bucketName: status(o, 'bucketName'), key: status(o, 'objectKey') }) },
  },
  {
    plural: 'cloudformationstacks',
    manifest: manifest('CloudFormationStack', 'drift-stack', 'spec:\n  template: |\n    Resources:\n      Topic: {Type: "AWS::SNS::Topic"}\n'),
    service: 'cloudformation',
    change: {
      call: 'UpdateTerminationProtection',
      make: (aws, o) => aws.client(CloudFormationClient).send(new UpdateTerminationProtectionCommand({ StackName: status(o, 'stackName'), EnableTerminationProtection: true })),
      parameters: (o) => ({ stackName: status(o, 'stackName'), enableTerminationProtection: true }),
      shows: (o) => o.spec.terminationProtection === true,
    },
    remove: {
      call: 'DeleteStack',
      make: async (aws, o) => {
        await aws.client(CloudFormationClient).send(new UpdateTerminationProtectionCommand({ StackName: status(o, 'stackName'), EnableTerminationProtection: false }));
        await aws.client(CloudFormationClient).send(new DeleteStackCommand({ StackName: status(o, 'stackName') }));
      },
      parameters: (o) => ({ stackName: status(o, 'stackName') }),
    },
  },
];

async function listed(plural: string): Promise<Rendered[]> {
  return (JSON.parse((await env.request(`${GROUP}/${plural}`)).body) as { items: Rendered[] }).items;
}

/** The object as the server's view has it now (a list: no AWS read, unlike a get). */
async function inView(plural: string, name: string): Promise<Rendered | undefined> {
  return (await listed(plural)).find((o) => o.metadata.name === name);
}

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'events', fillMotoGaps: true, extraArgs: ['--change-events', 'true', '--change-events-queue', QUEUE, '--resync-period', '3600'] });
  await env.kubectl.ok(['apply', '-f', manifests.file([manifest('SNSTopic', 'feed-topic', 'spec: {}\n'), manifest('SQSQueue', 'feed-queue', 'spec: {}\n')].join('---\n'))]);
  for (const c of CASES) await env.kubectl.ok(['apply', '-f', manifests.file(c.manifest)]);
  await env.kubectl.ok(['wait', '--for=condition=Ready', '--timeout=60s', ...CASES.map((c) => `${c.plural}/${c.manifest.match(/name: (\S+)/)?.[1]}`)]);
  for (const c of CASES) {
    const rv = (JSON.parse((await env.request(`${GROUP}/${c.plural}?limit=1`)).body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const watch = await openWatch(env.server, `${GROUP}/${c.plural}?watch=true&resourceVersion=${rv}`);
    watches.set(c.plural, watch);
  }
}, 180_000);

afterAll(async () => {
  watches.forEach((w) => w.close());
  await env?.stop();
});

test('the server set up its queue, the queue policy and an EventBridge rule for the services of every kind', async () => {
  const url = (await env.aws.client(SQSClient).send(new GetQueueUrlCommand({ QueueName: QUEUE }))).QueueUrl;
  const attributes = (await env.aws.client(SQSClient).send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {};
  const rule = await env.aws.client(EventBridgeClient).send(new DescribeRuleCommand({ Name: QUEUE }));
  const statement = (JSON.parse(attributes.Policy ?? '{}') as { Statement: { Principal: unknown; Condition: unknown }[] }).Statement[0];
  expect(statement.Principal).toEqual({ Service: 'events.amazonaws.com' });
  expect(statement.Condition).toEqual({ ArnEquals: { 'aws:SourceArn': rule.Arn } });
  expect(JSON.parse(rule.EventPattern ?? '{}')).toEqual({ 'detail-type': ['AWS API Call via CloudTrail'], source: ['aws.cloudformation', 'aws.dynamodb', 'aws.ecr', 'aws.elasticache', 'aws.s3', 'aws.sns', 'aws.sqs', 'aws.ssm'] });
  const targets = await env.aws.client(EventBridgeClient).send(new ListTargetsByRuleCommand({ Rule: QUEUE }));
  expect(targets.Targets?.map((t) => t.Arn)).toEqual([attributes.QueueArn]);
});

const nameOf = (c: Case) => c.manifest.match(/name: (\S+)/)?.[1] as string;
const about = (name: string) => (e: WatchEvent) => e.object.metadata?.name === name;

test.each(CASES.map((c) => [c.plural, c] as const))('%s: a change tags do not show, made in AWS, reaches watchers through its event', async (plural, c) => {
  const name = nameOf(c);
  const before = (await inView(plural, name)) as Rendered;
  await c.change.make(env.aws, before);
  // Without the event the view does not know: the resync is an hour away.
  expect(c.change.shows((await inView(plural, name)) as Rendered)).toBe(false);
  const watch = watches.get(plural) as OpenWatch;
  const from = watch.events.length;
  await reportCall(env.aws, c.service, c.change.call, c.change.parameters(before));
  const event = await watch.waitFor(`${name} to show the change`, (e) => about(name)(e) && e.type === 'MODIFIED' && c.change.shows(e.object as unknown as Rendered), from);
  expect(event.type).toBe('MODIFIED');
});

test.each(CASES.map((c) => [c.plural, c] as const))('%s: a deletion made in AWS reaches watchers through its event', async (plural, c) => {
  const name = nameOf(c);
  const before = (await inView(plural, name)) as Rendered;
  await c.remove.make(env.aws, before);
  expect(await inView(plural, name)).toBeDefined();
  const watch = watches.get(plural) as OpenWatch;
  const from = watch.events.length;
  await reportCall(env.aws, c.service, c.remove.call, c.remove.parameters(before));
  // Where AWS deletes asynchronously (a cache cluster), the event's re-read shows it deleting and the fast re-read of objects in transition finishes it.
  const event = await watch.waitFor(`${name} to be deleted`, (e) => about(name)(e) && e.type === 'DELETED', from);
  expect(event.type).toBe('DELETED');
});

test('events that are not API calls, or of calls that failed, are dropped from the queue and change nothing', async () => {
  const table = CASES[0];
  await env.aws.client(EventBridgeClient).send(new PutEventsCommand({ Entries: [{ Source: 'aws.dynamodb', DetailType: 'AWS API Call via CloudTrail', Detail: JSON.stringify({ eventSource: 'dynamodb.amazonaws.com', eventName: 'UpdateTable', errorCode: 'AccessDenied', requestParameters: { tableName: nameOf(table) } }) }] }));
  const url = (await env.aws.client(SQSClient).send(new GetQueueUrlCommand({ QueueName: QUEUE }))).QueueUrl as string;
  await env.aws.client(SQSClient).send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'not json at all' }));
  const metric = async () => Number((await env.request('/metrics')).body.match(/^change_events_received_total\{type="other"\} (\S+)$/m)?.[1] ?? 0);
  await eventually('both messages to be received and dropped', async () => (await metric()) >= 2);
  // Counted when received, deleted right after: wait for the deletes to be done before looking.
  const left = async () => (await env.aws.client(SQSClient).send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes;
  await eventually('both messages to be deleted', async () => {
    const attributes = await left();
    return attributes?.ApproximateNumberOfMessages === '0' && attributes.ApproximateNumberOfMessagesNotVisible === '0';
  });
  expect(await left()).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
});

test('a table created in AWS with this cluster\'s ownership tags is found through its CreateTable event (a relist)', async () => {
  const watch = watches.get('dynamodbs') as OpenWatch;
  const from = watch.events.length;
  await createOwnedTable(env.aws, 'events.default.made-elsewhere', { cluster: 'events', namespace: 'default', name: 'made-elsewhere' });
  await reportCall(env.aws, 'dynamodb', 'CreateTable', { tableName: 'events.default.made-elsewhere' });
  const event = await watch.waitFor('made-elsewhere to be added', (e) => about('made-elsewhere')(e), from);
  expect(event.type).toBe('ADDED');
});

test('a duplicated event re-reads again and changes nothing: no second watch event', async () => {
  const [name, plural] = ['made-elsewhere', 'dynamodbs'];
  const before = (await inView(plural, name)) as Rendered & { metadata: { resourceVersion: string } };
  const reads = async () => Number((await env.request('/metrics')).body.match(/^change_events_rereads_total\{resource="dynamodbs",what="object"\} (\S+)$/m)?.[1] ?? 0);
  const readsBefore = await reads();
  await reportCall(env.aws, 'dynamodb', 'UpdateTable', { tableName: 'events.default.made-elsewhere' });
  await reportCall(env.aws, 'dynamodb', 'UpdateTable', { tableName: 'events.default.made-elsewhere' });
  await eventually('both events to be handled', async () => (await reads()) >= readsBefore + 1);
  expect(((await inView(plural, name)) as typeof before).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
});
