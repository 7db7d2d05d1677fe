// Adoption and accounts per namespace on the real control plane, through kube-apiserver as users reach
// us: the verb `adopt` is granted by RBAC only (examples/team-access.yaml binds the group
// team-a-platform to deploy/'s aws-service-apiserver-adopt; `edit` does not have it), checked by a
// SubjectAccessReview of its own; namespaces annotated by the administrator live in other AWS
// accounts and regions (moto's AssumeRole into other account ids) under the server's account map,
// and an annotation naming a role the map does not allow is a 403 on that namespace alone.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, GetQueueUrlCommand, ListQueueTagsCommand, SQSClient } from '@aws-sdk/client-sqs';
import { stringify } from 'yaml';
import { Kubectl } from '../support/kubectl.js';
import { FAST_SERVER_FLAGS, startTestCluster, type TestCluster } from '../support/real-cluster.js';

const ROLE_B = 'arn:aws:iam::222222222222:role/service-operator-team-b';
const OTHER_ROLE = 'arn:aws:iam::333333333333:role/someone-else';
const MEMBERS = { alice: ['team-a-devs'], carol: ['team-a-devs', 'team-a-platform'], bob: ['team-b-devs'] } as const;

let t: TestCluster;
const kubectlOf: Partial<Record<string, Kubectl>> = {};
const as = (user: keyof typeof MEMBERS) => (kubectlOf[user] ??= new Kubectl(t.cluster.cp.userKubeconfig(user, [...MEMBERS[user]]), null));

const queue = (namespace: string, name: string, queueName: string, annotations: Record<string, string> = {}) =>
  JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'SQSQueue', metadata: { name, namespace, annotations }, spec: { queueName } });
const ADOPT = { 'service-operator.aws/adopt': 'true' };
const queueTags = async (name: string) => {
  const sqs = t.aws.client(SQSClient);
  const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  return (await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags ?? {};
};

beforeAll(async () => {
  const mapFile = join(tmpdir(), `account-map-cluster-${process.pid}.json`);
  writeFileSync(mapFile, JSON.stringify({ namespaces: { 'team-b': { allowedRoles: [ROLE_B] } } }));
  t = await startTestCluster({ clusterName: 'brownfield', serverArgs: [...FAST_SERVER_FLAGS, '--account-map', mapFile] });
  await t.kubectl(null).ok(['apply', '-f', 'examples/team-access.yaml']);
  const namespace = (name: string, annotations: Record<string, string>) => stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations } });
  const teamB = stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'team-b-devs-edit', namespace: 'team-b' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'team-b-devs' }] });
  const input = [
    namespace('team-b', { 'service-operator.aws/role-arn': ROLE_B, 'service-operator.aws/region': 'us-west-2' }),
    teamB,
    namespace('team-c', { 'service-operator.aws/role-arn': OTHER_ROLE }),
  ].join('---\n');
  await t.kubectl(null).ok(['apply', '-f', '-'], { input });
  for (const name of ['legacy-jobs', 'legacy-mail']) await t.aws.client(SQSClient).send(new CreateQueueCommand({ QueueName: name }));
});

afterAll(async () => {
  await t?.stop();
});

describe('the adopt verb', () => {
  test('edit does not have it; the adopt ClusterRole bound in the namespace does', async () => {
    const canI = async (user: keyof typeof MEMBERS, namespace: string) => (await as(user).run(['auth', 'can-i', 'adopt', 'sqsqueues.service-operator.aws', '-n', namespace])).stdout.trim();
    expect(await canI('alice', 'team-a')).toBe('no');
    expect(await canI('carol', 'team-a')).toBe('yes');
    expect(await canI('carol', 'team-b')).toBe('no');
    expect((await as('alice').run(['auth', 'can-i', 'create', 'sqsqueues.service-operator.aws', '-n', 'team-a'])).stdout.trim()).toBe('yes');
  });

  test('a user with edit only is refused, in kube-apiserver\'s words, and AWS is unchanged', async () => {
    const result = await as('alice').run(['create', '-f', '-'], { input: queue('team-a', 'jobs', 'legacy-jobs', ADOPT) });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('User "alice" cannot adopt resource "sqsqueues" in API group "service-operator.aws" in the namespace "team-a"');
    expect(await queueTags('legacy-jobs')).toEqual({});
  });

  test('a user granted adopt takes the queue over with one annotated manifest, after a SubjectAccessReview of the verb', async () => {
    expect(await as('carol').ok(['create', '-f', '-'], { input: queue('team-a', 'jobs', 'legacy-jobs', ADOPT) })).toContain('sqsqueue.service-operator.aws/jobs created');
    expect(await queueTags('legacy-jobs')).toMatchObject({ 'service-operator.aws/cluster': 'brownfield', 'service-operator.aws/namespace': 'team-a', 'service-operator.aws/name': 'jobs' });
    const reviews = t.accessReviews().filter((spec) => (spec.resourceAttributes as { verb?: string } | undefined)?.verb === 'adopt');
    expect(reviews).toContainEqual(expect.objectContaining({ user: 'carol', resourceAttributes: expect.objectContaining({ verb: 'adopt', group: 'service-operator.aws', resource: 'sqsqueues', namespace: 'team-a', name: 'jobs' }) }));
  });

  test('an observe-only object needs adopt too', async () => {
    const observe = { 'service-operator.aws/management': 'observe' };
    expect((await as('alice').run(['create', '-f', '-'], { input: queue('team-a', 'mail', 'legacy-mail', observe) })).stderr).toContain('cannot adopt resource "sqsqueues"');
    expect(await as('carol').ok(['create', '-f', '-'], { input: queue('team-a', 'mail', 'legacy-mail', observe) })).toContain('created');
    await as('carol').ok(['delete', 'sqsqueue', 'mail', '-n', 'team-a']);
    expect((await t.aws.client(SQSClient).send(new GetQueueUrlCommand({ QueueName: 'legacy-mail' }))).QueueUrl).toContain('legacy-mail');
  });
});

describe('namespaces in other accounts, annotated by the administrator', () => {
  test("team-b's objects live in its role's account and region", async () => {
    expect(await as('bob').ok(['create', '-f', '-'], { input: queue('team-b', 'jobs', 'legacy-jobs') })).toContain('created');
    const object = JSON.parse(await as('bob').ok(['get', 'sqsqueue', 'jobs', '-n', 'team-b', '-o', 'json'])) as { status: { arn: string } };
    expect(object.status.arn).toBe('arn:aws:sqs:us-west-2:222222222222:legacy-jobs');
    // The server's own account still has team-a's adopted queue of the same name, untouched.
    expect(await queueTags('legacy-jobs')).toMatchObject({ 'service-operator.aws/namespace': 'team-a' });
  });

  test('a role the account map does not allow is a 403 on that namespace alone', async () => {
    const refused = await t.kubectl(null).run(['create', '-f', '-'], { input: queue('team-c', 'jobs', 'team-c-jobs') });
    expect(refused.stderr).toContain(`namespace "team-c" cannot reach AWS: its annotation service-operator.aws/role-arn names the role "${OTHER_ROLE}"`);
    expect(await t.kubectl('team-b').ok(['get', 'sqsqueues', '-o', 'name'])).toContain('sqsqueue.service-operator.aws/jobs');
  });
});
