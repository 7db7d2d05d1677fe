// An AWS account and region per namespace, end to end through the real kubectl: the cluster's account
// map sends team-a to account 111111111111 in eu-west-1 and team-b to account 222222222222 in
// us-west-2 (moto's STS AssumeRole into other account ids); both manage a table and a queue of the
// same physical names side by side, each seeing only its own; the default namespace stays in the
// server's own account. A role that cannot be assumed fails its namespace alone, with a clear Status.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, ListQueueTagsCommand, SQSClient } from '@aws-sdk/client-sqs';
import { assumedRoleCredentials } from '../../src/aws/accounts/credentials.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { expectFailure, Manifests } from '../support/manifests.js';

const ROLE_A = 'arn:aws:iam::111111111111:role/service-operator-team-a';
const ROLE_B = 'arn:aws:iam::222222222222:role/service-operator-team-b';
const BROKEN_ROLE = 'arn:aws:iam::333333333333:role/not-trusting';
const CLUSTER = 'accounts';
const MAP = {
  namespaces: {
    'team-a': { roleArn: ROLE_A, region: 'eu-west-1' },
    'team-b': { roleArn: ROLE_B, region: 'us-west-2' },
    // STS refuses this one (the fault proxy answers AccessDenied, as AWS does when the trust policy says no).
    broken: { roleArn: BROKEN_ROLE, region: 'us-east-1' },
  },
};

let env: TestEnvironment;
const manifests = new Manifests();
const accountOf: Record<string, AwsClients> = {};
const TABLE = '  tableName: orders\n  hashAttribute: {name: id, type: S}\n  billingMode: PAY_PER_REQUEST\n';

/** The test's own view into a namespace's account, as the server reaches it. */
function clientsFor(namespace: string, roleArn: string, region: string): AwsClients {
  return env.aws.derive(region, assumedRoleCredentials(env.aws, { roleArn, clusterName: CLUSTER, namespace }));
}

beforeAll(async () => {
  const mapFile = join(tmpdir(), `account-map-${process.pid}.json`);
  writeFileSync(mapFile, JSON.stringify(MAP));
  const refused = { kind: 'error' as const, status: 403, code: 'AccessDenied', message: `User is not authorized to perform: sts:AssumeRole on resource: ${BROKEN_ROLE}` };
  env = await startEnvironment({
    clusterName: CLUSTER,
    faults: { seed: 13 },
    rules: [{ matches: (call) => call.operation === 'AssumeRole' && call.resource === BROKEN_ROLE, fault: refused }],
    extraArgs: ['--account-map', mapFile, '--resync-period', '1'],
  });
  accountOf['team-a'] = clientsFor('team-a', ROLE_A, 'eu-west-1');
  accountOf['team-b'] = clientsFor('team-b', ROLE_B, 'us-west-2');
});

afterAll(async () => {
  await env?.stop();
});

describe('two namespaces in two accounts and regions', () => {
  test.each(['team-a', 'team-b', 'default'])('%s creates the table "orders" and the queue "jobs"', async (namespace) => {
    expect(await env.kubectl.ok(['apply', '-n', namespace, '-f', manifests.object('DynamoDB', 'orders', TABLE)])).toContain('created');
    expect(await env.kubectl.ok(['apply', '-n', namespace, '-f', manifests.object('SQSQueue', 'jobs', '  queueName: jobs\n')])).toContain('created');
  });

  test.each([
    ['team-a', '111111111111', 'eu-west-1'],
    ['team-b', '222222222222', 'us-west-2'],
    ['default', '123456789012', 'us-east-1'],
  ])('%s: its objects show its own account and region', async (namespace, account, region) => {
    const table = await env.kubectl.json<{ status: { arn: string } }>(['get', '-n', namespace, 'dynamodb', 'orders']);
    expect(table.status.arn).toBe(`arn:aws:dynamodb:${region}:${account}:table/orders`);
    const queue = await env.kubectl.json<{ status: { queueURL?: string; queueUrl?: string; arn: string } }>(['get', '-n', namespace, 'sqsqueue', 'jobs']);
    expect(queue.status.arn).toBe(`arn:aws:sqs:${region}:${account}:jobs`);
  });

  test('each account holds its own table, tagged for its own namespace', async () => {
    for (const namespace of ['team-a', 'team-b']) {
      const dynamodb = accountOf[namespace].client(DynamoDBClient);
      expect((await dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual(['orders']);
      expect((await dynamodb.send(new DescribeTableCommand({ TableName: 'orders' }))).Table?.TableArn).toContain(namespace === 'team-a' ? ':111111111111:' : ':222222222222:');
      const sqs = accountOf[namespace].client(SQSClient);
      const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'jobs' }))).QueueUrl;
      expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toMatchObject({ 'service-operator.aws/namespace': namespace });
    }
  });

  test('lists across namespaces show each object once, from its own account, after resyncs too', async () => {
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const all = await env.kubectl.json<{ items: { metadata: { namespace: string }; status: { arn: string } }[] }>(['get', 'dynamodbs', '-A']);
    expect(all.items.map((item) => [item.metadata.namespace, item.status.arn.split(':')[4]]).sort()).toEqual([
      ['default', '123456789012'],
      ['team-a', '111111111111'],
      ['team-b', '222222222222'],
    ]);
  });

  test("tags copied into another account do not make an object there: team-a's table tagged in team-b's account stays team-b's", async () => {
    // Someone with access to account 222222222222 tags a table as team-a's.
    const { TagResourceCommand, CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
    const dynamodb = accountOf['team-b'].client(DynamoDBClient);
    const made = await dynamodb.send(
      new CreateTableCommand({ TableName: 'forged', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }),
    );
    const owner = { 'service-operator.aws/cluster': CLUSTER, 'service-operator.aws/namespace': 'team-a', 'service-operator.aws/name': 'forged' };
    await dynamodb.send(new TagResourceCommand({ ResourceArn: made.TableDescription?.TableArn, Tags: Object.entries(owner).map(([Key, Value]) => ({ Key, Value })) }));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await env.kubectl.ok(['get', '-n', 'team-a', 'dynamodbs', '-o', 'name'])).trim()).toBe('dynamodb.service-operator.aws/orders');
  });

  test('deletes happen in the right account', async () => {
    await env.kubectl.ok(['delete', '-n', 'team-a', 'sqsqueue', 'jobs']);
    const sqs = (namespace: string) => accountOf[namespace].client(SQSClient);
    await expect(sqs('team-a').send(new GetQueueUrlCommand({ QueueName: 'jobs' }))).rejects.toThrow();
    expect((await sqs('team-b').send(new GetQueueUrlCommand({ QueueName: 'jobs' }))).QueueUrl).toContain('jobs');
  });
});

describe('a role that cannot be assumed', () => {
  test('is a clear error on its namespace alone', async () => {
    const message = expectFailure(await env.kubectl.run(['apply', '-n', 'broken', '-f', manifests.object('SQSQueue', 'jobs', '  queueName: jobs\n')]));
    expect(message).toContain(`the AWS role "${BROKEN_ROLE}" of namespace "broken" cannot be assumed (AccessDenied`);
    expect(message).toMatch(/Forbidden|forbidden/);
    expect((await env.kubectl.ok(['get', '-n', 'team-b', 'sqsqueue', 'jobs', '-o', 'name'])).trim()).toBe('sqsqueue.service-operator.aws/jobs');
  });
});
