// Direct AWS SDK access to the test's moto_server, to check what really happened in AWS.
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { ListSubscriptionsCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AwsClients } from '../../src/aws/clients.js';

export function awsClients(endpoint: string): AwsClients {
  return new AwsClients({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 2 });
}

export async function tableNames(aws: AwsClients): Promise<string[]> {
  const names: string[] = [];
  let start: string | undefined;
  do {
    const page = await aws.client(DynamoDBClient).send(new ListTablesCommand({ ...(start ? { ExclusiveStartTableName: start } : {}) }));
    names.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start);
  return names;
}

export async function topicArns(aws: AwsClients): Promise<string[]> {
  const arns: string[] = [];
  let token: string | undefined;
  do {
    const page = await aws.client(SNSClient).send(new ListTopicsCommand({ ...(token ? { NextToken: token } : {}) }));
    arns.push(...(page.Topics ?? []).map((t) => t.TopicArn as string));
    token = page.NextToken;
  } while (token);
  return arns.sort();
}

export async function queueNames(aws: AwsClients): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await aws.client(SQSClient).send(new ListQueuesCommand({ ...(token ? { NextToken: token } : {}) }));
    names.push(...(page.QueueUrls ?? []).map((url) => url.slice(url.lastIndexOf('/') + 1)));
    token = page.NextToken;
  } while (token);
  return names.sort();
}

export async function subscriptionArns(aws: AwsClients): Promise<string[]> {
  const arns: string[] = [];
  let token: string | undefined;
  do {
    const page = await aws.client(SNSClient).send(new ListSubscriptionsCommand({ ...(token ? { NextToken: token } : {}) }));
    arns.push(...(page.Subscriptions ?? []).map((s) => s.SubscriptionArn as string));
    token = page.NextToken;
  } while (token);
  return arns.sort();
}

export async function parameterNames(aws: AwsClients): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await aws.client(SSMClient).send(new DescribeParametersCommand({ ...(token ? { NextToken: token } : {}) }));
    names.push(...(page.Parameters ?? []).map((p) => p.Name as string));
    token = page.NextToken;
  } while (token);
  return names.sort();
}

export async function repositoryNames(aws: AwsClients): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await aws.client(ECRClient).send(new DescribeRepositoriesCommand({ ...(token ? { nextToken: token } : {}) }));
    names.push(...(page.repositories ?? []).map((r) => r.repositoryName as string));
    token = page.nextToken;
  } while (token);
  return names.sort();
}

export async function bucketNames(aws: AwsClients): Promise<string[]> {
  return ((await aws.client(S3Client).send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name as string).sort();
}
