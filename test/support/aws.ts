// Direct AWS SDK access to the test's moto_server, to check what really happened in AWS.
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
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
