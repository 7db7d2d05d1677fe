// Adoption and observe-only objects end to end through the real kubectl (local mode, where the one
// token may do everything; the adopt verb's RBAC is tested on the real control plane in test/cluster).
// Resources are made directly in AWS first, as the console or another tool would.
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTagsOfResourceCommand } from '@aws-sdk/client-dynamodb';
import { CreateRepositoryCommand, ECRClient, ListTagsForResourceCommand } from '@aws-sdk/client-ecr';
import { CreateCacheClusterCommand, DescribeCacheClustersCommand, ElastiCacheClient, ListTagsForResourceCommand as ListCacheTags } from '@aws-sdk/client-elasticache';
import { CreateBucketCommand, GetBucketTaggingCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, GetTopicAttributesCommand, ListTagsForResourceCommand as ListTopicTags, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ListQueueTagsCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { KubeObject } from '../../src/api/types.js';
import { claimParameterName } from '../../src/aws/adoption-claims.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { expectFailure, Manifests } from '../support/manifests.js';

let env: TestEnvironment;
const manifests = new Manifests();
const ADOPT = '  annotations:\n    service-operator.aws/adopt: "true"\n';
const OBSERVE = '  annotations:\n    service-operator.aws/management: observe\n';
const base = (namespace: string, plural: string) => `/apis/service-operator.aws/v1alpha1/namespaces/${namespace}/${plural}`;

const sqs = () => env.aws.client(SQSClient);
const queueUrl = (name: string) => `${env.moto.endpoint}/123456789012/${name}`;
const queueTags = async (name: string) => (await sqs().send(new ListQueueTagsCommand({ QueueUrl: queueUrl(name) }))).Tags ?? {};
const tableTags = async (name: string) => {
  const arn = (await env.aws.client(DynamoDBClient).send(new DescribeTableCommand({ TableName: name }))).Table?.TableArn;
  return Object.fromEntries(((await env.aws.client(DynamoDBClient).send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags ?? []).map((t): [string, string | undefined] => [t.Key ?? '', t.Value]));
};
const bucketTags = async (name: string) => Object.fromEntries(((await env.aws.client(S3Client).send(new GetBucketTaggingCommand({ Bucket: name }))).TagSet ?? []).map((t): [string, string | undefined] => [t.Key ?? '', t.Value]));

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'adopt' });
  await env.aws.client(DynamoDBClient).send(
    new CreateTableCommand({
      TableName: 'legacy-orders',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      Tags: [{ Key: 'cost-center', Value: 'retail' }],
    }),
  );
  await env.aws.client(S3Client).send(new CreateBucketCommand({ Bucket: 'legacy-assets' }));
  await sqs().send(new CreateQueueCommand({ QueueName: 'legacy-jobs', Attributes: { VisibilityTimeout: '30' } }));
  await sqs().send(new CreateQueueCommand({ QueueName: 'contested' }));
  await env.aws.client(SNSClient).send(new CreateTopicCommand({ Name: 'legacy-alerts' }));
  await env.aws.client(SNSClient).send(new CreateTopicCommand({ Name: 'shared-events', Attributes: { DisplayName: 'Shared' } }));
  await env.aws.client(ECRClient).send(new CreateRepositoryCommand({ repositoryName: 'legacy-images' }));
  await env.aws.client(ElastiCacheClient).send(new CreateCacheClusterCommand({ CacheClusterId: 'legacy-cache', Engine: 'redis', CacheNodeType: 'cache.t3.micro', NumCacheNodes: 1 }));
});

afterAll(async () => {
  await env?.stop();
});

describe('adoption', () => {
  test('a resource the server did not create is refused without the annotation, and nothing in AWS changes', async () => {
    const manifest = manifests.object('SQSQueue', 'jobs', '  queueName: legacy-jobs\n  visibilityTimeout: 60\n');
    const message = expectFailure(await env.kubectl.run(['apply', '-n', 'team-a', '-f', manifest]));
    expect(message).toContain('already exists');
    expect(message).toContain('service-operator.aws/adopt');
    expect(await queueTags('legacy-jobs')).toEqual({});
  });

  test('one annotated manifest adopts a queue: ownership tags added, the spec applied, Ready', async () => {
    const manifest = manifests.object('SQSQueue', 'jobs', '  queueName: legacy-jobs\n  visibilityTimeout: 60\n', ADOPT);
    expect(await env.kubectl.ok(['apply', '-n', 'team-a', '-f', manifest])).toContain('sqsqueue.service-operator.aws/jobs created');
    await env.kubectl.ok(['wait', '-n', 'team-a', '--for=condition=Ready', 'sqsqueue/jobs', '--timeout=20s']);
    const attributes = (await sqs().send(new GetQueueAttributesCommand({ QueueUrl: queueUrl('legacy-jobs'), AttributeNames: ['VisibilityTimeout'] }))).Attributes;
    expect(attributes?.VisibilityTimeout).toBe('60');
    expect(await queueTags('legacy-jobs')).toMatchObject({ 'service-operator.aws/cluster': 'adopt', 'service-operator.aws/namespace': 'team-a', 'service-operator.aws/name': 'jobs' });
    // Applying the same manifest again is an ordinary update now.
    await env.kubectl.ok(['apply', '-n', 'team-a', '-f', manifest]);
    expect(await env.kubectl.ok(['get', '-n', 'team-a', 'sqsqueue', 'jobs', '-o', 'jsonpath={.metadata.generation}'])).toBe('1');
  });

  test("an adopted object is shown and owned as a created one: the manifest's fields, in its form, owned by its manager", async () => {
    await sqs().send(new CreateQueueCommand({ QueueName: 'legacy-mail', Attributes: { MessageRetentionPeriod: '86400' } }));
    // contentBasedDeduplication means nothing on a standard queue: shown as written, as on a created queue.
    const manifest = manifests.object('SQSQueue', 'mail', '  queueName: legacy-mail\n  contentBasedDeduplication: true\n  visibilityTimeout: 60\n', ADOPT);
    const apply = ['apply', '--server-side', '--field-manager=platform', '-n', 'team-a', '-f', manifest];
    const read = async () => JSON.parse(await env.kubectl.ok(['get', '-n', 'team-a', 'sqsqueue', 'mail', '-o', 'json', '--show-managed-fields'])) as KubeObject;
    expect(await env.kubectl.ok(apply)).toContain('serverside-applied');
    const adopted = await read();
    // What the manifest leaves out keeps what AWS has (not the kind's default of 4 days), shown, and owned by nobody.
    const retention = async () => (await sqs().send(new GetQueueAttributesCommand({ QueueUrl: queueUrl('legacy-mail'), AttributeNames: ['MessageRetentionPeriod'] }))).Attributes?.MessageRetentionPeriod;
    expect(await retention()).toBe('86400');
    expect(adopted.spec).toMatchObject({ queueName: 'legacy-mail', contentBasedDeduplication: true, visibilityTimeout: 60, messageRetentionPeriod: 86400 });
    const entries = adopted.metadata.managedFields ?? [];
    expect(entries.map((entry) => [entry.manager, entry.operation])).toEqual([['platform', 'Apply']]);
    const ownedSpec = (entries[0].fieldsV1 as Record<string, Record<string, unknown>>)['f:spec'];
    expect(Object.keys(ownedSpec).sort()).toEqual(['f:contentBasedDeduplication', 'f:queueName', 'f:visibilityTimeout']);
    // The same apply again is an update that changes nothing.
    await env.kubectl.ok(apply);
    const again = await read();
    expect(again.metadata.resourceVersion).toBe(adopted.metadata.resourceVersion);
    expect(again.metadata.generation).toBe(1);
    expect(await retention()).toBe('86400');
  });

  test.each([
    ['DynamoDB', 'dynamodb', 'orders', '  tableName: legacy-orders\n  hashAttribute: {name: id, type: S}\n  billingMode: PAY_PER_REQUEST\n'],
    ['S3Bucket', 's3bucket', 'assets', '  bucketName: legacy-assets\n'],
    ['SNSTopic', 'snstopic', 'alerts', '  topicName: legacy-alerts\n'],
    ['ECRRepository', 'ecrrepository', 'images', '  repositoryName: legacy-images\n'],
    ['ElastiCache', 'elasticache', 'cache', '  cacheClusterId: legacy-cache\n  cacheNodeType: cache.t3.micro\n'],
  ])('%s: adopted with one annotated manifest', async (kind, singular, name, spec) => {
    const manifest = manifests.object(kind, name, spec, ADOPT);
    expect(await env.kubectl.ok(['apply', '-n', 'team-a', '-f', manifest])).toContain(`${singular}.service-operator.aws/${name} created`);
    await env.kubectl.ok(['wait', '-n', 'team-a', '--for=condition=Ready', `${singular}/${name}`, '--timeout=20s']);
  });

  test("the resource's own tags stay when the manifest sets no spec.tags", async () => {
    expect(await tableTags('legacy-orders')).toMatchObject({ 'cost-center': 'retail', 'service-operator.aws/namespace': 'team-a' });
    const repository = await env.aws.client(ECRClient).send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecr:us-east-1:123456789012:repository/legacy-images' }));
    expect(repository.tags).toContainEqual({ Key: 'service-operator.aws/name', Value: 'images' });
    const cache = (await env.aws.client(ElastiCacheClient).send(new DescribeCacheClustersCommand({ CacheClusterId: 'legacy-cache' }))).CacheClusters?.[0];
    const cacheTags = await env.aws.client(ElastiCacheClient).send(new ListCacheTags({ ResourceName: cache?.ARN }));
    expect(cacheTags.TagList).toEqual(expect.arrayContaining([{ Key: 'service-operator.aws/namespace', Value: 'team-a' }, { Key: 'service-operator.aws/name', Value: 'cache' }]));
  });

  test.each([
    ['CloudFormationStack', 'adopt', '  stackName: legacy-stack\n  template: "Resources: {}"\n', ADOPT],
    ['CloudFormationStack', 'observe', '  stackName: legacy-stack\n', OBSERVE],
    ['SNSSubscription', 'adopt', '  topicName: legacy-alerts\n  protocol: sqs\n', ADOPT],
  ])('%s objects cannot %s existing resources: a 422 saying why', async (kind, verb, spec, annotation) => {
    const message = expectFailure(await env.kubectl.run(['apply', '-n', 'team-a', '-f', manifests.object(kind, 'legacy', spec, annotation)]));
    expect(message).toContain(`${kind} objects cannot ${verb} existing resources`);
    expect(message).toContain('Forbidden');
  });

  test('CloudFormationTemplate objects cannot adopt: there is nothing in the account to take over', async () => {
    const manifest = manifests.file(`apiVersion: service-operator.aws/v1alpha1\nkind: CloudFormationTemplate\nmetadata:\n  name: legacy\n${ADOPT}data:\n  template: "Resources: {}"\n`);
    const message = expectFailure(await env.kubectl.run(['apply', '-n', 'team-a', '-f', manifest]));
    expect(message).toContain('CloudFormationTemplate objects cannot adopt existing resources');
    expect(message).toContain("the server's own private bucket");
  });

  test('a resource another namespace holds is never adopted: 409 naming its owner', async () => {
    const manifest = manifests.object('SQSQueue', 'grab', '  queueName: legacy-jobs\n', ADOPT);
    const message = expectFailure(await env.kubectl.run(['apply', '-n', 'team-b', '-f', manifest]));
    expect(message).toMatch(/sqsqueue "jobs" in namespace "team-a"/);
    expect(await queueTags('legacy-jobs')).toMatchObject({ 'service-operator.aws/namespace': 'team-a', 'service-operator.aws/name': 'jobs' });
  });

  test('adopting what does not exist is a 422 that creates nothing', async () => {
    const manifest = manifests.object('SQSQueue', 'ghost', '  queueName: no-such-queue\n', ADOPT);
    const message = expectFailure(await env.kubectl.run(['apply', '-n', 'team-a', '-f', manifest]));
    expect(message).toContain('there is no SQSQueue "no-such-queue" in AWS to adopt');
  });

  test('two adoptions racing for one resource: exactly one wins', async () => {
    const body = (name: string) => JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'SQSQueue', metadata: { name, annotations: { 'service-operator.aws/adopt': 'true' } }, spec: { queueName: 'contested' } });
    const race = await Promise.all(
      ['team-a', 'team-b'].map((namespace) => env.request(base(namespace, 'sqsqueues'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body(`racer-${namespace}`) })),
    );
    expect(race.map((r) => r.status).sort()).toEqual([201, 409]);
    const winner = ['team-a', 'team-b'][race.findIndex((r) => r.status === 201)];
    expect(await queueTags('contested')).toMatchObject({ 'service-operator.aws/namespace': winner, 'service-operator.aws/name': `racer-${winner}` });
  });
});

describe('claims left by adoptions that did not finish', () => {
  const claim = (name: string) =>
    env.aws.client(SSMClient).send(
      new PutParameterCommand({ Name: claimParameterName('sqsqueues', 'stalled'), Type: 'String', Overwrite: true, Value: JSON.stringify({ cluster: 'adopt', namespace: 'team-b', name, since: '2026-12-01T00:00:00Z' }) }),
    );

  test("another object's claim is a 409 naming it and the parameter to delete; the claimant's own retry resumes it", async () => {
    await sqs().send(new CreateQueueCommand({ QueueName: 'stalled' }));
    await claim('stalled-adopter');
    const other = manifests.object('SQSQueue', 'stalled', '  queueName: stalled\n', ADOPT);
    const message = expectFailure(await env.kubectl.run(['apply', '-n', 'team-a', '-f', other]));
    expect(message).toContain('is being adopted by sqsqueue "stalled-adopter" in namespace "team-b"');
    expect(message).toContain(claimParameterName('sqsqueues', 'stalled'));
    expect(await queueTags('stalled')).toEqual({});

    const own = manifests.object('SQSQueue', 'stalled-adopter', '  queueName: stalled\n', ADOPT);
    expect(await env.kubectl.ok(['apply', '-n', 'team-b', '-f', own])).toContain('created');
    expect(await queueTags('stalled')).toMatchObject({ 'service-operator.aws/namespace': 'team-b', 'service-operator.aws/name': 'stalled-adopter' });
    await expect(env.aws.client(SSMClient).send(new GetParameterCommand({ Name: claimParameterName('sqsqueues', 'stalled') }))).rejects.toThrow();
  });
});

describe('retained resources', () => {
  test('a retained bucket stays marked for its namespace: another namespace cannot adopt it, its own can', async () => {
    const retained = '  annotations:\n    service-operator.aws/deletion-policy: retain\n';
    await env.kubectl.ok(['apply', '-n', 'team-a', '-f', manifests.object('S3Bucket', 'archive', '  bucketName: team-a-archive-7\n', retained)]);
    await env.kubectl.ok(['delete', '-n', 'team-a', 's3bucket', 'archive']);
    await env.aws.client(S3Client).send(new HeadBucketCommand({ Bucket: 'team-a-archive-7' }));
    expect(await bucketTags('team-a-archive-7')).toEqual({ 'service-operator.aws/retained': 'adopt/team-a/archive' });

    const again = (namespace: string, name: string) => manifests.object('S3Bucket', name, '  bucketName: team-a-archive-7\n', ADOPT);
    expect(expectFailure(await env.kubectl.run(['apply', '-n', 'team-b', '-f', again('team-b', 'steal')]))).toContain('only that namespace may adopt it again');
    expect(await env.kubectl.ok(['apply', '-n', 'team-a', '-f', again('team-a', 'archive-again')])).toContain('created');
    expect(await bucketTags('team-a-archive-7')).toMatchObject({ 'service-operator.aws/name': 'archive-again' });
    expect(await bucketTags('team-a-archive-7')).not.toHaveProperty(['service-operator.aws/retained']);
  });
});

describe('observe-only objects', () => {
  const topicArn = 'arn:aws:sns:us-east-1:123456789012:shared-events';

  test('report what AWS has, whatever the manifest says, and never change it', async () => {
    const manifest = manifests.object('SNSTopic', 'events', '  topicName: shared-events\n  displayName: Mine\n', OBSERVE);
    const applied = await env.kubectl.run(['apply', '-n', 'team-b', '-f', manifest]);
    expect(applied.stdout).toContain('snstopic.service-operator.aws/events created');
    expect(applied.stderr).toContain('spec is ignored for an observe-only object');
    expect(await env.kubectl.ok(['get', '-n', 'team-b', 'snstopic', 'events', '-o', 'jsonpath={.spec.displayName}'])).toBe('Shared');
    const attributes = (await env.aws.client(SNSClient).send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes;
    expect(attributes?.DisplayName).toBe('Shared');
  });

  test('labels can change, the spec cannot, and the management choice is fixed', async () => {
    await env.kubectl.ok(['label', '-n', 'team-b', 'snstopic', 'events', 'shared=yes']);
    await env.kubectl.ok(['patch', '-n', 'team-b', 'snstopic', 'events', '--type=merge', '-p', '{"spec":{"displayName":"Changed"}}']);
    const attributes = (await env.aws.client(SNSClient).send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes;
    expect(attributes?.DisplayName).toBe('Shared');
    const patch = '{"metadata":{"annotations":{"service-operator.aws/management":"manage"}}}';
    expect(expectFailure(await env.kubectl.run(['patch', '-n', 'team-b', 'snstopic', 'events', '--type=merge', '-p', patch]))).toContain('field is immutable');
  });

  test('deleting it only forgets the resource', async () => {
    await env.kubectl.ok(['delete', '-n', 'team-b', 'snstopic', 'events']);
    const tags = (await env.aws.client(SNSClient).send(new ListTopicTags({ ResourceArn: topicArn }))).Tags ?? [];
    expect(tags.filter((t) => t.Key?.startsWith('service-operator.aws/'))).toEqual([]);
    expect((await env.aws.client(SNSClient).send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes?.DisplayName).toBe('Shared');
  });

  test('an unknown management value is a 422', async () => {
    const manifest = manifests.object('SNSTopic', 'odd', '  topicName: shared-events\n', '  annotations:\n    service-operator.aws/management: watch\n');
    expect(expectFailure(await env.kubectl.run(['apply', '-n', 'team-b', '-f', manifest]))).toContain('supported values: "manage", "observe"');
  });
});
