// Every bad input gets the right Status and changes nothing in AWS (checked through the AWS SDK).
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableNames } from '../support/aws.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';

let env: TestEnvironment;
const work = mkdtempSync(join(tmpdir(), 'ddb-bad-'));
const BASE = '/apis/service-operator.aws/v1alpha1/namespaces/default/dynamodbs';

function manifest(name: string, spec: string): string {
  const path = join(work, `${name}-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, `apiVersion: service-operator.aws/v1alpha1\nkind: DynamoDB\nmetadata:\n  name: ${name}\nspec:\n${spec}`);
  return path;
}

const KEYS = '  hashAttribute: {name: id, type: S}\n';

async function expectNoNewTables(action: () => Promise<void>): Promise<void> {
  const before = await tableNames(env.aws);
  await action();
  expect(await tableNames(env.aws)).toEqual(before);
}

function status(body: string): { code: number; reason: string; message: string; details?: { causes?: { field: string }[] } } {
  return JSON.parse(body) as ReturnType<typeof status>;
}

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'bad' });
  await env.kubectl.ok(['apply', '-f', manifest('existing', `${KEYS}  readCapacityUnits: 1\n  writeCapacityUnits: 1\n`)]);
});

afterAll(async () => {
  await env?.stop();
});

describe('bad input through kubectl', () => {
  test('an invalid name is 422 Invalid on metadata.name', async () => {
    await expectNoNewTables(async () => {
      const result = await env.kubectl.run(['apply', '-f', manifest('Not_Valid', KEYS)]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('metadata.name: Invalid value: "Not_Valid"');
    });
  });

  test('an unknown field with --validate=strict is 400 BadRequest', async () => {
    await expectNoNewTables(async () => {
      const result = await env.kubectl.run(['apply', '--validate=strict', '-f', manifest('unknown-field', `${KEYS}  colour: blue\n`)]);
      expect(result.stderr).toContain('strict decoding error: unknown field "spec.colour"');
    });
  });

  test('wrong types and unsupported values are 422 with field causes', async () => {
    await expectNoNewTables(async () => {
      const result = await env.kubectl.run(['apply', '--validate=false', '-f', manifest('wrong-types', `  hashAttribute: {name: id, type: Q}\n  readCapacityUnits: five\n`)]);
      expect(result.stderr).toContain('spec.readCapacityUnits: Invalid value: "string": spec.readCapacityUnits in body must be of type integer');
      expect(result.stderr).toContain('spec.hashAttribute.type: Unsupported value: "Q"');
    });
  });

  test('changing the key schema is 422 "field is immutable" and the table keeps its key', async () => {
    const result = await env.kubectl.run(['apply', '-f', manifest('existing', `  hashAttribute: {name: other, type: S}\n  readCapacityUnits: 1\n  writeCapacityUnits: 1\n`)]);
    expect(result.stderr).toContain('spec.hashAttribute: Invalid value');
    expect(result.stderr).toContain('field is immutable');
    expect(await env.kubectl.ok(['get', 'ddb', 'existing', '-o', 'jsonpath={.spec.hashAttribute.name}'])).toBe('id');
  });

  test('an update with a stale resourceVersion is 409 Conflict', async () => {
    const object = await env.kubectl.json<{ metadata: { resourceVersion: string } }>(['get', 'ddb', 'existing']);
    await env.kubectl.ok(['label', 'ddb', 'existing', 'changed=yes']);
    const stale = { ...object, spec: { hashAttribute: { name: 'id', type: 'S' }, readCapacityUnits: 3, writeCapacityUnits: 1 } };
    const path = join(work, 'stale.json');
    writeFileSync(path, JSON.stringify(stale));
    const result = await env.kubectl.run(['replace', '-f', path]);
    expect(result.stderr).toContain('the object has been modified; please apply your changes to the latest version and try again');
    expect(await env.kubectl.ok(['get', 'ddb', 'existing', '-o', 'jsonpath={.spec.readCapacityUnits}'])).toBe('1');
  });

  test('kubectl patch without --type (strategic merge) is 415, as for custom resources', async () => {
    const result = await env.kubectl.run(['patch', 'ddb', 'existing', '-p', '{"spec":{"readCapacityUnits":2}}']);
    expect(result.stderr).toContain('application/strategic-merge-patch+json is not supported');
    const merged = await env.kubectl.run(['patch', 'ddb', 'existing', '--type=merge', '-p', '{"spec":{"readCapacityUnits":2}}']);
    expect(merged.code).toBe(0);
  });

  test('server dry run validates and creates nothing', async () => {
    await expectNoNewTables(async () => {
      const out = await env.kubectl.ok(['apply', '--dry-run=server', '-f', manifest('dry', KEYS)]);
      expect(out).toContain('created (server dry run)');
    });
    expect((await env.kubectl.run(['get', 'ddb', 'dry'])).code).not.toBe(0);
  });

  test('apply --dry-run=server refuses the index changes the real apply refuses (two at once, new keys), with the same causes', async () => {
    const index = (name: string, hash: string) => `    - {indexName: ${name}, hashAttribute: {name: ${hash}, type: S}}\n`;
    const table = (indexes: string) => manifest('indexed', `${KEYS}  globalSecondaryIndexes:\n${indexes}`);
    await env.kubectl.ok(['apply', '-f', table(index('by-a', 'a'))]);
    for (const refused of [index('by-a', 'a') + index('by-b', 'b') + index('by-c', 'c'), index('by-a', 'other')]) {
      const dryRun = await env.kubectl.run(['apply', '--dry-run=server', '-f', table(refused)]);
      const real = await env.kubectl.run(['apply', '-f', table(refused)]);
      expect(dryRun.code).not.toBe(0);
      expect(dryRun.stderr).toMatch(/globalSecondaryIndexes/);
      expect(dryRun.stderr.replace(' (dry run)', '')).toBe(real.stderr);
    }
    const indexes = (await env.aws.client(DynamoDBClient).send(new DescribeTableCommand({ TableName: 'bad.default.indexed' }))).Table?.GlobalSecondaryIndexes;
    expect(indexes?.map((g) => [g.IndexName, g.KeySchema?.[0].AttributeName])).toEqual([['by-a', 'a']]);
    // One index more at a time is what AWS takes: the dry run says so, and the apply does it.
    expect(await env.kubectl.ok(['apply', '--dry-run=server', '-f', table(index('by-a', 'a') + index('by-b', 'b'))])).toContain('configured (server dry run)');
  });
});

describe('bad input over raw HTTPS', () => {
  const post = (body: string, contentType = 'application/json') => env.request(BASE, { method: 'POST', body, headers: { 'Content-Type': contentType } });

  test('malformed JSON is 400', async () => {
    await expectNoNewTables(async () => {
      const response = await post('{"apiVersion": "service-operator.aws/v1alpha1", "kind": ');
      expect(response.status).toBe(400);
      expect(status(response.body).reason).toBe('BadRequest');
    });
  });

  test('a malformed patch is 400, a patch that does not apply 422, an unknown patch type 415', async () => {
    const patch = (body: string, type: string) => env.request(`${BASE}/existing`, { method: 'PATCH', body, headers: { 'Content-Type': type } });
    expect((await patch('{"spec": ', 'application/merge-patch+json')).status).toBe(400);
    expect((await patch('{"op": "add"}', 'application/json-patch+json')).status).toBe(400);
    expect((await patch('[{"op": "test", "path": "/spec/readCapacityUnits", "value": 99}]', 'application/json-patch+json')).status).toBe(422);
    expect((await patch('{}', 'text/plain')).status).toBe(415);
  });

  test('a body over 3 MiB is 413', async () => {
    await expectNoNewTables(async () => {
      const huge = JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', metadata: { name: 'huge', annotations: { a: 'x'.repeat(3.5 * 1024 * 1024) } }, spec: {} });
      const response = await post(huge);
      expect(response.status).toBe(413);
      expect(status(response.body).reason).toBe('RequestEntityTooLarge');
    });
  });

  test('metadata too large for the AWS tag budget is 422, before AWS is touched', async () => {
    await expectNoNewTables(async () => {
      const noise = Array.from({ length: 4000 }, (_, i) => ((i * 7919) % 104729).toString(36)).join('');
      const body = JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', metadata: { name: 'too-much', annotations: { noise } }, spec: { hashAttribute: { name: 'id' } } });
      const response = await post(body);
      expect(response.status).toBe(422);
      expect(status(response.body).message).toContain('stored in AWS tags');
    });
  });

  test('a mismatched name or namespace in the body is 400', async () => {
    const body = (namespace: string) => JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', metadata: { name: 'existing', namespace }, spec: { hashAttribute: { name: 'id' } } });
    expect((await post(body('elsewhere'))).status).toBe(400);
    const put = await env.request(`${BASE}/other-name`, { method: 'PUT', body: body('default'), headers: { 'Content-Type': 'application/json' } });
    expect(put.status).toBe(400);
  });

  test('creating an existing object is 409 AlreadyExists', async () => {
    const response = await post(JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', metadata: { name: 'existing' }, spec: { hashAttribute: { name: 'id' } } }));
    expect(response.status).toBe(409);
    expect(status(response.body).reason).toBe('AlreadyExists');
  });
});

describe('tables this cluster did not create', () => {
  beforeAll(async () => {
    await env.aws.client(DynamoDBClient).send(
      new CreateTableCommand({
        TableName: 'someone-elses-table',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });

  test('are not listed', async () => {
    expect(await env.kubectl.ok(['get', 'ddb', '-A', '-o', 'name'])).not.toContain('someone-elses-table');
  });

  test('cannot be taken over by a create with the same physical name (409 saying so)', async () => {
    const result = await env.kubectl.run(['apply', '-f', manifest('takeover', `${KEYS}  tableName: someone-elses-table\n`)]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('the AWS resource "someone-elses-table" already exists and it is not managed by this server');
    expect((await env.kubectl.run(['get', 'ddb', 'takeover'])).code).not.toBe(0);
  });

  test('another namespace cannot claim this namespace\'s table either', async () => {
    const result = await env.kubectl.inNamespace('team-b').run(['apply', '-f', manifest('thief', `${KEYS}  tableName: bad.default.existing\n`)]);
    // A default name is refused as such (422), before AWS is asked whose it is.
    expect(result.stderr).toContain('spec.tableName: Forbidden: names like "bad.<namespace>.<name>" are the default names of cluster "bad"');
  });
});
