// The objects the benchmark serves: DynamoDB tables created directly in moto, carrying what the server
// itself would have written (ownership tags, and metadata tags holding labels and kubectl's
// last-applied-configuration annotation), so each cached object is as big as a real one.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { AwsClients } from '../src/aws/clients.js';
import { encodeMetadataTags } from '../src/aws/metadata-tags.js';
import { forEachConcurrently } from '../src/registry/concurrency.js';

export const BENCH_CLUSTER = 'bench';
export const BENCH_NAMESPACE = 'bench';

export const objectName = (i: number): string => `table-${String(i).padStart(5, '0')}`;
export const tableName = (i: number): string => `${BENCH_CLUSTER}.${BENCH_NAMESPACE}.${objectName(i)}`;

function lastApplied(name: string): string {
  const manifest = {
    apiVersion: 'service-operator.aws/v1alpha1',
    kind: 'DynamoDB',
    metadata: { name, namespace: BENCH_NAMESPACE, labels: { app: 'bench', tier: 'data' } },
    spec: { hashAttribute: { name: 'id', type: 'S' }, rangeAttribute: { name: 'created_at', type: 'S' }, readCapacityUnits: 5, writeCapacityUnits: 5 },
  };
  return `${JSON.stringify(manifest)}\n`;
}

export function ownedTags(name: string): Record<string, string> {
  return encodeMetadataTags(
    { cluster: BENCH_CLUSTER, namespace: BENCH_NAMESPACE, name },
    {
      uid: randomUUID(),
      creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      generation: 1,
      labels: { app: 'bench', tier: 'data' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(name) },
    },
    50,
    0,
  );
}

export async function createTable(aws: AwsClients, name: string, physicalName: string): Promise<void> {
  await aws.client(DynamoDBClient).send(
    new CreateTableCommand({
      TableName: physicalName,
      KeySchema: [
        { AttributeName: 'id', KeyType: 'HASH' },
        { AttributeName: 'created_at', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        { AttributeName: 'created_at', AttributeType: 'S' },
      ],
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      Tags: Object.entries(ownedTags(name)).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
}

export async function createTables(aws: AwsClients, count: number): Promise<void> {
  const indexes = Array.from({ length: count }, (_, i) => i);
  await forEachConcurrently(indexes, 8, (i) => createTable(aws, objectName(i), tableName(i)));
}
