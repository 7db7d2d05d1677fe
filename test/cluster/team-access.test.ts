// Team access with ordinary RBAC on the real control plane, through kube-apiserver as users reach us:
// examples/team-access.yaml binds the group team-a-devs to the built-in `edit` role in team-a (our
// kinds fold into it, and into `view`, through deploy/'s aggregated roles) and a CI ServiceAccount
// to a narrower Role; team-b gets the same binding for team-b-devs. Every verb is allowed in the team's own namespace and
// refused in the other's, `kubectl auth can-i` agrees, a user with no binding is refused, and no
// refused request changes anything in AWS.
import { DescribeTableCommand, DynamoDBClient, ListTagsOfResourceCommand } from '@aws-sdk/client-dynamodb';
import { stringify } from 'yaml';
import { tableNames } from '../support/aws.js';
import { Kubectl } from '../support/kubectl.js';
import { startTestCluster, type TestCluster } from '../support/real-cluster.js';

const GROUP_PATH = '/apis/service-operator.aws/v1alpha1';
const VERBS = ['create', 'get', 'list', 'watch', 'patch', 'update', 'delete', 'deletecollection'] as const;
type Verb = (typeof VERBS)[number];
const TEAMS = { alice: { groups: ['team-a-devs'], namespace: 'team-a' }, bob: { groups: ['team-b-devs'], namespace: 'team-b' } } as const;
type Member = keyof typeof TEAMS;

let t: TestCluster;
const kubectlOf: Partial<Record<string, Kubectl>> = {};

const table = (namespace: string, name: string, labels: Record<string, string> = {}) =>
  JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', metadata: { name, namespace, labels }, spec: { hashAttribute: { name: 'id', type: 'S' }, readCapacityUnits: 1, writeCapacityUnits: 1 } });

/** Every table in moto with what a write could change: capacity and tags. */
async function dynamoSnapshot(): Promise<unknown[]> {
  const client = t.aws.client(DynamoDBClient);
  const snapshot = [];
  for (const name of await tableNames(t.aws)) {
    const described = (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
    const tags = (await client.send(new ListTagsOfResourceCommand({ ResourceArn: described?.TableArn }))).Tags;
    snapshot.push({ name, throughput: described?.ProvisionedThroughput?.ReadCapacityUnits, tags: tags?.map((tag) => `${tag.Key}=${tag.Value}`).sort() });
  }
  return snapshot;
}

function kubectlAs(user: string, groups: string[] = []): Kubectl {
  kubectlOf[user] ??= new Kubectl(t.cluster.cp.userKubeconfig(user, groups), null);
  return kubectlOf[user];
}

/** `verb` on DynamoDB objects of `namespace` with the real kubectl, as the user it was made for. */
async function perform(kubectl: Kubectl, verb: Verb, namespace: string, who: string) {
  const n = ['-n', namespace];
  switch (verb) {
    case 'create':
      return kubectl.run(['create', '-f', '-'], { input: table(namespace, `scratch-${who}`) });
    case 'get':
      return kubectl.run(['get', 'dynamodb', 'orders', ...n]);
    case 'list':
      return kubectl.run(['get', 'dynamodbs', ...n]);
    case 'watch':
      return kubectl.run(['get', '--raw', `${GROUP_PATH}/namespaces/${namespace}/dynamodbs?watch=1&timeoutSeconds=1`]);
    case 'patch':
      return kubectl.run(['patch', 'dynamodb', 'orders', ...n, '--type=merge', '-p', JSON.stringify({ metadata: { labels: { 'patched-by': who } } })]);
    case 'update': {
      // The object as an administrator read it: a refused writer never gets past authorization.
      const current = JSON.parse(await t.kubectl(namespace).ok(['get', 'dynamodb', 'orders', '-o', 'json'])) as { metadata: Record<string, unknown> };
      return kubectl.run(['replace', '-f', '-'], { input: JSON.stringify({ ...current, metadata: { ...current.metadata, labels: { 'updated-by': who } } }) });
    }
    case 'delete':
      return kubectl.run(['delete', 'dynamodb', `scratch-${who}`, ...n]);
    case 'deletecollection':
      return kubectl.run(['delete', '--raw', `${GROUP_PATH}/namespaces/${namespace}/dynamodbs?labelSelector=doomed%3Dtrue`]);
  }
}

beforeAll(async () => {
  t = await startTestCluster({ clusterName: 'teams' });
  await t.kubectl(null).ok(['apply', '-f', 'examples/team-access.yaml']);
  const teamB = stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } }) + '---\n' + stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'team-b-devs-edit', namespace: 'team-b' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'team-b-devs' }] });
  await t.kubectl(null).ok(['apply', '-f', '-'], { input: teamB });
  for (const [who, team] of Object.entries(TEAMS)) {
    const input = [table(team.namespace, 'orders'), table(team.namespace, `doomed-${who}`, { doomed: 'true' })].join('\n');
    await kubectlAs(who, [...team.groups]).ok(['create', '-f', '-'], { input });
  }
});

afterAll(async () => {
  await t?.stop();
});

describe('every verb, both namespaces, both teams, through kube-apiserver', () => {
  const cases = (Object.keys(TEAMS) as Member[]).flatMap((who) => (['team-a', 'team-b'] as const).flatMap((namespace) => VERBS.map((verb) => [who, namespace, verb] as const)));

  test.each(cases)('%s in %s: %s', async (who, namespace, verb) => {
    const team = TEAMS[who];
    const kubectl = kubectlAs(who, [...team.groups]);
    const canI = (await kubectl.run(['auth', 'can-i', verb, 'dynamodbs.service-operator.aws', '-n', namespace])).stdout.trim();
    if (namespace === team.namespace) {
      expect(canI).toBe('yes');
      const result = await perform(kubectl, verb, namespace, who);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      return;
    }
    expect(canI).toBe('no');
    const before = await dynamoSnapshot();
    const result = await perform(kubectl, verb, namespace, who);
    expect(result.code).not.toBe(0);
    // kubectl patch reads the object first, so the refusal is of that read.
    const refused = verb === 'patch' ? 'get' : verb;
    expect(result.stderr).toMatch(new RegExp(`(Error from server \\(Forbidden\\)|is forbidden).*User "${who}" cannot ${refused} resource "dynamodbs" in API group "service-operator.aws" in the namespace "${namespace}"`));
    expect(await dynamoSnapshot()).toEqual(before);
  });

  test("each team's table was changed by its own team only", async () => {
    for (const [who, team] of Object.entries(TEAMS)) {
      const object = JSON.parse(await t.kubectl(team.namespace).ok(['get', 'dynamodb', 'orders', '-o', 'json'])) as { metadata: { labels: Record<string, string> } };
      expect(object.metadata.labels).toEqual({ 'updated-by': who });
    }
  });
});

test('listing every namespace needs a cluster-wide grant', async () => {
  const denied = await kubectlAs('alice', ['team-a-devs']).run(['get', 'dynamodbs', '-A']);
  expect(denied.stderr).toContain('User "alice" cannot list resource "dynamodbs" in API group "service-operator.aws" at the cluster scope');
  const all = await t.kubectl(null).ok(['get', 'dynamodbs', '-A', '-o', 'name']);
  expect(all.split('\n').filter((line) => line.endsWith('/orders'))).toHaveLength(2);
});

test('the built-in view role reads our kinds and writes nothing', async () => {
  const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'auditors-view', namespace: 'team-a' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'auditors' }] };
  await t.kubectl(null).ok(['apply', '-f', '-'], { input: JSON.stringify(binding) });
  const carol = kubectlAs('carol', ['auditors']);
  expect(await carol.ok(['get', 'dynamodbs', '-n', 'team-a', '-o', 'name'])).toContain('dynamodb.service-operator.aws/orders');
  for (const verb of ['get', 'list', 'watch']) expect((await carol.run(['auth', 'can-i', verb, 'dynamodbs.service-operator.aws', '-n', 'team-a'])).stdout.trim()).toBe('yes');
  const before = await dynamoSnapshot();
  const refused = await carol.run(['delete', 'dynamodb', 'orders', '-n', 'team-a']);
  expect(refused.stderr).toContain('User "carol" cannot delete resource "dynamodbs" in API group "service-operator.aws" in the namespace "team-a"');
  expect(await dynamoSnapshot()).toEqual(before);
});

test('a user with no binding is refused by kube-apiserver and changes nothing', async () => {
  const eve = kubectlAs('eve');
  const before = await dynamoSnapshot();
  for (const args of [['get', 'dynamodbs', '-n', 'team-a'], ['delete', 'dynamodb', 'orders', '-n', 'team-a']]) {
    const result = await eve.run(args);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Error from server \(Forbidden\).*User "eve" cannot/);
  }
  expect((await eve.run(['auth', 'can-i', 'list', 'dynamodbs.service-operator.aws', '-n', 'team-a'])).stdout.trim()).toBe('no');
  expect(await dynamoSnapshot()).toEqual(before);
});

test("examples/team-access.yaml's CI ServiceAccount creates and updates tables in team-a but may not delete them", async () => {
  await t.kubectl('team-a').ok(['create', 'serviceaccount', 'ci']);
  const token = (await t.kubectl('team-a').ok(['create', 'token', 'ci'])).trim();
  const ci = new Kubectl(t.cluster.cp.tokenKubeconfig('ci', token, 'team-a'), 'team-a');
  expect(await ci.ok(['apply', '-f', '-'], { input: table('team-a', 'built-by-ci') })).toContain('created');
  const denied = await ci.run(['delete', 'dynamodb', 'built-by-ci']);
  expect(denied.stderr).toContain('User "system:serviceaccount:team-a:ci" cannot delete resource "dynamodbs"');
  expect(await tableNames(t.aws)).toContain('teams.team-a.built-by-ci');
});
