// Direct AWS SDK access to the test's moto_server, to check what really happened in AWS.
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { AwsClients } from '../../src/aws/clients.js';
import { identityTags, type OwnerIdentity } from '../../src/aws/metadata-tags.js';

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
