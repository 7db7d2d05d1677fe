// Direct AWS SDK access to the test's moto_server, to check what really happened in AWS.
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { CloudFormationClient, ListStacksCommand, ValidateTemplateCommand } from '@aws-sdk/client-cloudformation';
import { DescribeCacheClustersCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { ListBucketsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ListSubscriptionsCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AwsClients } from '../../src/aws/clients.js';
import { identityTags, type OwnerIdentity } from '../../src/aws/metadata-tags.js';

export function awsClients(endpoint: string): AwsClients {
  return new AwsClients({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 2 });
}

/** Every item of a paginated AWS listing, sorted: `page(token)` returns one page's items and the next token. */
async function everything(page: (token: string | undefined) => Promise<{ items: (string | undefined)[]; next?: string }>): Promise<string[]> {
  const all: string[] = [];
  let token: string | undefined;
  do {
    const result = await page(token);
    all.push(...result.items.map((item) => item ?? ''));
    token = result.next;
  } while (token);
  return all.sort();
}

export const tableNames = (aws: AwsClients): Promise<string[]> =>
  everything(async (start) => {
    const page = await aws.client(DynamoDBClient).send(new ListTablesCommand({ ...(start ? { ExclusiveStartTableName: start } : {}) }));
    return { items: page.TableNames ?? [], next: page.LastEvaluatedTableName };
  });

export const topicArns = (aws: AwsClients): Promise<string[]> =>
  everything(async (token) => {
    const page = await aws.client(SNSClient).send(new ListTopicsCommand({ ...(token ? { NextToken: token } : {}) }));
    return { items: (page.Topics ?? []).map((t) => t.TopicArn), next: page.NextToken };
  });

export const queueNames = (aws: AwsClients): Promise<string[]> =>
  everything(async (token) => {
    const page = await aws.client(SQSClient).send(new ListQueuesCommand({ ...(token ? { NextToken: token } : {}) }));
    return { items: (page.QueueUrls ?? []).map((url) => url.slice(url.lastIndexOf('/') + 1)), next: page.NextToken };
  });

export const subscriptionArns = (aws: AwsClients): Promise<string[]> =>
  everything(async (token) => {
    const page = await aws.client(SNSClient).send(new ListSubscriptionsCommand({ ...(token ? { NextToken: token } : {}) }));
    return { items: (page.Subscriptions ?? []).map((s) => s.SubscriptionArn), next: page.NextToken };
  });

export const parameterNames = (aws: AwsClients): Promise<string[]> =>
  everything(async (token) => {
    const page = await aws.client(SSMClient).send(new DescribeParametersCommand({ ...(token ? { NextToken: token } : {}) }));
    return { items: (page.Parameters ?? []).map((p) => p.Name), next: page.NextToken };
  });

export const repositoryNames = (aws: AwsClients): Promise<string[]> =>
  everything(async (token) => {
    const page = await aws.client(ECRClient).send(new DescribeRepositoriesCommand({ ...(token ? { nextToken: token } : {}) }));
    return { items: (page.repositories ?? []).map((r) => r.repositoryName), next: page.nextToken };
  });

export const bucketNames = (aws: AwsClients): Promise<string[]> =>
  everything(async () => ({ items: ((await aws.client(S3Client).send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name) }));

export const cacheClusterIds = (aws: AwsClients): Promise<string[]> =>
  everything(async (marker) => {
    const page = await aws.client(ElastiCacheClient).send(new DescribeCacheClustersCommand({ ...(marker ? { Marker: marker } : {}) }));
    return { items: (page.CacheClusters ?? []).map((c) => c.CacheClusterId), next: page.Marker };
  });

/** Stacks that exist (not deleted). */
export const stackNames = (aws: AwsClients): Promise<string[]> =>
  everything(async (token) => {
    const page = await aws.client(CloudFormationClient).send(new ListStacksCommand({ ...(token ? { NextToken: token } : {}) }));
    return { items: (page.StackSummaries ?? []).filter((s) => s.StackStatus !== 'DELETE_COMPLETE').map((s) => s.StackName), next: page.NextToken };
  });

/** The keys under `prefix` in the server's own bucket (aws/server-bucket.ts), none when it does not exist yet. */
export async function serverBucketKeys(aws: AwsClients, prefix: string): Promise<string[]> {
  const bucket = (await bucketNames(aws)).find((name) => name.startsWith('aws-service-apiserver-'));
  if (!bucket) return [];
  return everything(async (token) => {
    const page = await aws.client(S3Client).send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
    return { items: (page.Contents ?? []).map((o) => o.Key), next: page.NextContinuationToken };
  });
}

/** The smallest CloudFormation template moto makes something of: one SNS topic. */
export const TOPIC_TEMPLATE = 'Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n';

/** moto loads its CloudFormation on first use, which can take longer than a test's short request deadline: load it first. */
export async function warmUpCloudFormation(aws: AwsClients): Promise<void> {
  await aws.client(CloudFormationClient).send(new ValidateTemplateCommand({ TemplateBody: TOPIC_TEMPLATE }));
}

/** Runs `action` and checks that the listing (tables, queues...) is the same afterwards: nothing was created. */
export async function expectUnchanged(listing: () => Promise<unknown>, action: () => Promise<void>): Promise<void> {
  const before = await listing();
  await action();
  expect(await listing()).toEqual(before);
}

/**
 * Creates a table directly in DynamoDB (out of band, as the console or another tool would), carrying
 * the ownership tags of `owner`, so the server must discover it by itself.
 */
export async function createOwnedTable(aws: AwsClients, tableName: string, owner: OwnerIdentity, extraTags: Record<string, string> = {}): Promise<void> {
  const tags = { ...identityTags(owner), ...extraTags };
  await aws.client(DynamoDBClient).send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
}
