// Server-side apply (kubectl apply --server-side, Flux, Argo CD): field ownership, conflicts,
// removal of fields a manager stops applying — checked in DynamoDB itself.
import { DescribeTableCommand, DynamoDBClient, ListTagsOfResourceCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableNames } from '../support/aws.js';
import { oddManagedFields } from '../support/odd-managed-fields.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';

let env: TestEnvironment;
const work = mkdtempSync(join(tmpdir(), 'ssa-'));
const TABLE = 'ssa.default.orders';

function manifest(spec: string): string {
  const path = join(work, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, `apiVersion: service-operator.aws/v1alpha1\nkind: DynamoDB\nmetadata:\n  name: orders\nspec:\n  hashAttribute: {name: id, type: S}\n${spec}`);
  return path;
}

const dynamodb = () => env.aws.client(DynamoDBClient);
const table = async () => (await dynamodb().send(new DescribeTableCommand({ TableName: TABLE }))).Table;
const tags = async () => (await dynamodb().send(new ListTagsOfResourceCommand({ ResourceArn: (await table())?.TableArn }))).Tags ?? [];

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'ssa' });
});

afterAll(async () => {
  await env?.stop();
});

test('a server-side dry run creates nothing', async () => {
  const out = await env.kubectl.ok(['apply', '--server-side', '--dry-run=server', '-f', manifest('  readCapacityUnits: 1\n  writeCapacityUnits: 1\n')]);
  expect(out).toContain('serverside-applied (server dry run)');
  expect(await tableNames(env.aws)).toEqual([]);
});

test('apply --server-side creates the table and records the manager', async () => {
  await env.kubectl.ok(['apply', '--server-side', '-f', manifest('  readCapacityUnits: 1\n  writeCapacityUnits: 1\n  tags: {team: orders}\n')]);
  expect((await table())?.ProvisionedThroughput?.ReadCapacityUnits).toBe(1);
  const object = await env.kubectl.json<{ metadata: { managedFields: { manager: string; operation: string }[] } }>(['get', 'ddb', 'orders', '--show-managed-fields']);
  expect(object.metadata.managedFields.map((m) => `${m.manager}/${m.operation}`)).toEqual(['kubectl/Apply']);
});

test('re-applying a change updates AWS; a field no longer applied goes back to its default', async () => {
  await env.kubectl.ok(['apply', '--server-side', '-f', manifest('  readCapacityUnits: 4\n  writeCapacityUnits: 1\n')]);
  expect((await table())?.ProvisionedThroughput?.ReadCapacityUnits).toBe(4);
  expect((await tags()).map((t) => t.Key)).not.toContain('team');
});

test('a field another manager changed conflicts, and --force-conflicts takes it over', async () => {
  await env.kubectl.ok(['patch', 'ddb', 'orders', '--type=merge', '-p', '{"spec":{"readCapacityUnits":7}}']);
  const conflicting = await env.kubectl.run(['apply', '--server-side', '-f', manifest('  readCapacityUnits: 5\n  writeCapacityUnits: 1\n')]);
  expect(conflicting.code).not.toBe(0);
  expect(conflicting.stderr).toContain('conflict with "kubectl-patch" using service-operator.aws/v1alpha1: .spec.readCapacityUnits');
  expect((await table())?.ProvisionedThroughput?.ReadCapacityUnits).toBe(7);
  await env.kubectl.ok(['apply', '--server-side', '--force-conflicts', '-f', manifest('  readCapacityUnits: 5\n  writeCapacityUnits: 1\n')]);
  expect((await table())?.ProvisionedThroughput?.ReadCapacityUnits).toBe(5);
});

test('diff --server-side shows the change without making it', async () => {
  const diff = await env.kubectl.run(['diff', '--server-side', '-f', manifest('  readCapacityUnits: 6\n  writeCapacityUnits: 1\n')]);
  expect(diff.stdout).toContain('+  readCapacityUnits: 6');
  expect((await table())?.ProvisionedThroughput?.ReadCapacityUnits).toBe(5);
});

test('an apply patch must name its field manager and may not carry managedFields', async () => {
  const path = '/apis/service-operator.aws/v1alpha1/namespaces/default/dynamodbs/orders';
  const body = JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', metadata: { name: 'orders' }, spec: { hashAttribute: { name: 'id' } } });
  const headers = { 'Content-Type': 'application/apply-patch+yaml' };
  expect((await env.request(path, { method: 'PATCH', body, headers })).status).toBe(422);
  const withManagedFields = JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', metadata: { name: 'orders', managedFields: [] } });
  expect((await env.request(`${path}?fieldManager=x`, { method: 'PATCH', body: withManagedFields, headers })).status).toBe(400);
});

describe('managedFields a client rewrote, whatever they hold, never make a write fail', () => {
  const path = '/apis/service-operator.aws/v1alpha1/namespaces/default/dynamodbs/orders';
  const cases = oddManagedFields('service-operator.aws/v1alpha1', { scalar: 'readCapacityUnits', other: 'writeCapacityUnits', list: 'globalSecondaryIndexes', map: 'tags' });

  test.each(cases.map((entries, i) => [i, entries] as const))('case %i: a JSON patch writes them, then server-side and merge patches succeed', async (_i, entries) => {
    const patch = JSON.stringify([{ op: 'replace', path: '/metadata/managedFields', value: entries }]);
    const patched = await env.request(path, { method: 'PATCH', body: patch, headers: { 'Content-Type': 'application/json-patch+json' } });
    expect(patched.status).toBeLessThan(500);
    const applied = await env.kubectl.run(['apply', '--server-side', '--force-conflicts', '-f', manifest('  readCapacityUnits: 2\n  writeCapacityUnits: 1\n')]);
    expect([applied.code, applied.stderr]).toEqual([0, '']);
    const merged = await env.request(`${path}?fieldManager=editor`, { method: 'PATCH', body: JSON.stringify({ metadata: { managedFields: entries } }), headers: { 'Content-Type': 'application/merge-patch+json' } });
    expect(merged.status).toBeLessThan(500);
    const reapplied = await env.kubectl.run(['apply', '--server-side', '--force-conflicts', '-f', manifest('  readCapacityUnits: 1\n  writeCapacityUnits: 1\n')]);
    expect([reapplied.code, reapplied.stderr]).toEqual([0, '']);
    expect((await table())?.ProvisionedThroughput?.ReadCapacityUnits).toBe(1);
  });
});

describe("the original operator's manifests, moved from client-side to server-side apply", () => {
  test('an ECRRepository created by kubectl apply and applied once with --server-side can still be written', async () => {
    const original = manifestFile('ECRRepository', 'moved', '');
    expect(await env.kubectl.ok(['apply', '-f', original])).toContain('created');
    const moved = await env.kubectl.run(['apply', '--server-side', '-f', original]);
    expect([moved.code, moved.stderr]).toEqual([0, '']);
    // Once the immutable-field check compared a rendered `encryption: {}` with AES256: every write failed.
    expect(await env.kubectl.ok(['label', 'ecr', 'moved', 'team=a'])).toContain('labeled');
    const changed = manifestFile('ECRRepository', 'moved', 'spec:\n  scanOnPush: true\n');
    expect(await env.kubectl.ok(['apply', '--server-side', '-f', changed])).toContain('serverside-applied');
    const object = await env.kubectl.json<{ spec: { scanOnPush: boolean; encryption: { type: string } } }>(['get', 'ecr', 'moved']);
    expect(object.spec).toMatchObject({ scanOnPush: true, encryption: { type: 'AES256' } });
  });

  test('an SNSTopic with an empty `spec:` moves to server-side apply and back without a migration warning', async () => {
    const original = manifestFile('SNSTopic', 'moved-topic', 'spec:\n');
    expect(await env.kubectl.ok(['apply', '-f', original])).toContain('created');
    for (const manager of ['kubectl', 'argocd-controller']) {
      const applied = await env.kubectl.run(['apply', '--server-side', `--field-manager=${manager}`, '-f', original]);
      expect([applied.code, applied.stderr]).toEqual([0, '']);
    }
    // The first client-side apply rewrites the last-applied annotation in kubectl's own form (as for a CRD).
    await env.kubectl.ok(['apply', '-f', original]);
    expect(await env.kubectl.ok(['apply', '-f', original])).toContain('unchanged');
    const after = await env.kubectl.json<{ metadata: { managedFields: { manager: string }[] } }>(['get', 'snstopic', 'moved-topic', '--show-managed-fields']);
    expect(after.metadata.managedFields.map((m) => m.manager).sort()).toEqual(['argocd-controller', 'kubectl', 'kubectl-client-side-apply']);
  });
});

/** A manifest of one object of any kind: `rest` is what follows its metadata (a spec, or nothing). */
function manifestFile(kind: string, name: string, rest: string): string {
  const path = join(work, `${name}-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, `apiVersion: service-operator.aws/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${rest}`);
  return path;
}
