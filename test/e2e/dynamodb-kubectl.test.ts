// The walking skeleton end to end: the real kubectl, against the real server, against moto; every
// claim checked in DynamoDB itself through the AWS SDK.
import { DescribeTableCommand, DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { tableNames } from '../support/aws.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';

let env: TestEnvironment;
const work = mkdtempSync(join(tmpdir(), 'ddb-e2e-'));

/** The DynamoDB part of the seed article's dynamodb-app.yaml, unchanged. */
function seedTableManifest(): string {
  const documents = parseAllDocuments(readFileSync('examples/dynamodb-app.yaml', 'utf8'));
  return documents.map((d) => d.toString()).find((d) => d.includes('kind: DynamoDB')) as string;
}

function writeManifest(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

const describeTable = async (name: string) => (await env.aws.client(DynamoDBClient).send(new DescribeTableCommand({ TableName: name }))).Table;

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'e2e' });
});

afterAll(async () => {
  await env?.stop();
});

describe('the seed article manifest through kubectl', () => {
  const manifest = () => writeManifest('dynamo-table.yaml', seedTableManifest());

  test('apply creates the real table before it returns', async () => {
    expect(await env.kubectl.ok(['apply', '-f', manifest()])).toContain('dynamodb.service-operator.aws/dynamo-table created');
    const table = await describeTable('e2e.default.dynamo-table');
    expect(table?.KeySchema).toEqual([
      { AttributeName: 'name', KeyType: 'HASH' },
      { AttributeName: 'created_at', KeyType: 'RANGE' },
    ]);
    expect(table?.ProvisionedThroughput?.ReadCapacityUnits).toBe(5);
  });

  test('get, get -o yaml, get aws and -o wide show the table', async () => {
    const list = await env.kubectl.ok(['get', 'dynamodbs']);
    expect(list).toMatch(/NAME\s+TABLE\s+STATUS\s+BILLING\s+AGE/);
    expect(list).toMatch(/dynamo-table\s+e2e\.default\.dynamo-table\s+ACTIVE\s+PROVISIONED/);
    const yaml = await env.kubectl.ok(['get', 'dynamodb', 'dynamo-table', '-o', 'yaml']);
    expect(yaml).toContain('tableStatus: ACTIVE');
    expect(yaml).toContain('kubectl.kubernetes.io/last-applied-configuration');
    expect(await env.kubectl.ok(['get', 'aws'])).toContain('dynamo-table');
    const wide = await env.kubectl.ok(['get', 'ddb', '-o', 'wide']);
    expect(wide).toMatch(/ARN\s+READ\s+WRITE/);
    expect(wide).toContain('arn:aws:dynamodb:us-east-1:');
  });

  test('explain prints the field documentation', async () => {
    const out = await env.kubectl.ok(['explain', 'dynamodb.spec']);
    expect(out).toContain('hashAttribute');
    expect(out).toContain('readCapacityUnits');
    expect(await env.kubectl.ok(['explain', 'dynamodb.spec.billingMode'])).toContain('PAY_PER_REQUEST');
  });

  test('apply with a changed capacity is a 3-way merge with no warning, and changes AWS', async () => {
    const changed = writeManifest('changed.yaml', seedTableManifest().replace('readCapacityUnits: 5', 'readCapacityUnits: 8'));
    const result = await env.kubectl.run(['apply', '-f', changed]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('configured');
    expect(result.stderr).toBe('');
    expect((await describeTable('e2e.default.dynamo-table'))?.ProvisionedThroughput?.ReadCapacityUnits).toBe(8);
    const object = await env.kubectl.json<{ metadata: { generation: number }; status: { observedGeneration: number } }>(['get', 'ddb', 'dynamo-table']);
    expect(object.metadata.generation).toBe(2);
    expect(object.status.observedGeneration).toBe(2);
    expect(await env.kubectl.ok(['apply', '-f', changed])).toContain('unchanged');
  });

  test('label, edit via EDITOR, and diff', async () => {
    await env.kubectl.ok(['label', 'ddb', 'dynamo-table', 'team=orders']);
    expect(await env.kubectl.ok(['get', 'ddb', '-l', 'team=orders', '-o', 'name'])).toBe('dynamodb.service-operator.aws/dynamo-table\n');
    expect(await env.kubectl.ok(['get', 'ddb', '-l', 'team!=orders', '-o', 'name'])).toBe('');
    await env.kubectl.ok(['edit', 'ddb', 'dynamo-table'], { env: { EDITOR: 'sed -i s/writeCapacityUnits:\\ 5/writeCapacityUnits:\\ 6/' } });
    expect((await describeTable('e2e.default.dynamo-table'))?.ProvisionedThroughput?.WriteCapacityUnits).toBe(6);
    const diff = await env.kubectl.run(['diff', '-f', manifest()]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('-  readCapacityUnits: 8');
    expect(diff.stdout).toContain('+  readCapacityUnits: 5');
    // diff is a dry run: AWS is untouched.
    expect((await describeTable('e2e.default.dynamo-table'))?.ProvisionedThroughput?.ReadCapacityUnits).toBe(8);
  });

  test('a change made directly in DynamoDB shows on the next get', async () => {
    await env.aws.client(DynamoDBClient).send(new UpdateTableCommand({ TableName: 'e2e.default.dynamo-table', ProvisionedThroughput: { ReadCapacityUnits: 11, WriteCapacityUnits: 6 } }));
    expect(await env.kubectl.ok(['get', 'ddb', 'dynamo-table', '-o', 'jsonpath={.spec.readCapacityUnits}'])).toBe('11');
  });

  test('delete returns once the table is gone from DynamoDB', async () => {
    expect(await env.kubectl.ok(['delete', '-f', manifest()])).toContain('deleted');
    expect(await tableNames(env.aws)).not.toContain('e2e.default.dynamo-table');
    const get = await env.kubectl.run(['get', 'ddb', 'dynamo-table']);
    expect(get.stderr).toContain('dynamodbs.service-operator.aws "dynamo-table" not found');
  });
});
