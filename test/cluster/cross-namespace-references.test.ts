// References by ARN cannot reach into another namespace's AWS resources: alice (team-a) may not
// subscribe to bob's (team-b) topic, point a subscription at bob's queue (the server would rewrite its
// policy), or redrive into bob's queue. Each is a 422 on the ARN field, and AWS is left as it was. A
// resource aws-service-apiserver does not manage may still be referred to by ARN.
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { stringify } from 'yaml';
import type { ProxiedUser } from '../support/cluster.js';
import { startTestCluster, type TestCluster } from '../support/real-cluster.js';

const ALICE: ProxiedUser = { user: 'alice', groups: ['team-a-devs'] };
const BOB: ProxiedUser = { user: 'bob', groups: ['team-b-devs'] };
const GROUP = '/apis/service-operator.aws/v1alpha1/namespaces';

let cluster: TestCluster;
let bobTopicArn: string;
let bobQueue: { arn: string; url: string };

function object(kind: string, name: string, spec: Record<string, unknown>) {
  return { apiVersion: 'service-operator.aws/v1alpha1', kind, metadata: { name }, spec };
}

async function create(as: ProxiedUser, namespace: string, plural: string, body: ReturnType<typeof object>) {
  return cluster.proxied(as, `${GROUP}/${namespace}/${plural}`, { method: 'POST', body });
}

async function created(as: ProxiedUser, namespace: string, plural: string, body: ReturnType<typeof object>): Promise<{ status: Record<string, string> }> {
  const response = await create(as, namespace, plural, body);
  expect([response.status, response.body.slice(0, 300)]).toEqual([201, expect.any(String)]);
  return response.json();
}

const queuePolicy = async (url: string) => (await cluster.aws.client(SQSClient).send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }))).Attributes?.Policy;
const subscriptionsOf = async (topicArn: string) => (await cluster.aws.client(SNSClient).send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions ?? [];

beforeAll(async () => {
  cluster = await startTestCluster({ clusterName: 'refs' });
  // Ordinary RBAC: each of alice and bob is an admin of one namespace.
  const rbac = [['team-a', 'alice'], ['team-b', 'bob']].flatMap(([namespace, user]) => [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `${user}-admin`, namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }] },
  ]);
  await cluster.kubectl(null).ok(['apply', '-f', '-'], { input: rbac.map((o) => stringify(o)).join('---\n') });
  bobTopicArn = (await created(BOB, 'team-b', 'snstopics', object('SNSTopic', 'alerts', {}))).status.arn;
  const queue = await created(BOB, 'team-b', 'sqsqueues', object('SQSQueue', 'inbox', {}));
  bobQueue = { arn: queue.status.arn, url: queue.status.queueURL };
  await created(ALICE, 'team-a', 'sqsqueues', object('SQSQueue', 'mine', {}));
  await created(ALICE, 'team-a', 'snstopics', object('SNSTopic', 'news', {}));
});

afterAll(async () => {
  await cluster?.stop();
});

function expectRefused(response: { status: number; json<T>(): T }, field: string): void {
  expect(response.status).toBe(422);
  const causes = response.json<{ details: { causes: { field: string; reason: string; message: string }[] } }>().details.causes;
  expect(causes).toEqual([expect.objectContaining({ field, reason: 'FieldValueForbidden', message: expect.stringContaining('in namespace "team-b"') })]);
}

test("subscribing to another namespace's topic by ARN is refused", async () => {
  const response = await create(ALICE, 'team-a', 'snssubscriptions', object('SNSSubscription', 'spy', { topicARN: bobTopicArn, protocol: 'sqs', endpoint: 'mine' }));
  expectRefused(response, 'spec.topicARN');
  expect(await subscriptionsOf(bobTopicArn)).toEqual([]);
});

test("delivering to another namespace's queue by ARN is refused, and its policy is untouched", async () => {
  const before = await queuePolicy(bobQueue.url);
  const response = await create(ALICE, 'team-a', 'snssubscriptions', object('SNSSubscription', 'leak', { topicName: 'news', protocol: 'sqs', endpoint: bobQueue.arn }));
  expectRefused(response, 'spec.endpoint');
  expect(await queuePolicy(bobQueue.url)).toEqual(before);
});

test("redriving into another namespace's queue by ARN is refused, and no queue is made", async () => {
  const response = await create(ALICE, 'team-a', 'sqsqueues', object('SQSQueue', 'work', { deadLetterQueue: { arn: bobQueue.arn } }));
  expectRefused(response, 'spec.deadLetterQueue.arn');
  const urls = (await cluster.aws.client(SQSClient).send(new ListQueuesCommand({}))).QueueUrls ?? [];
  expect(urls.filter((url) => url.includes('work'))).toEqual([]);
});

test('a topic aws-service-apiserver does not manage may be subscribed to by ARN', async () => {
  const external = (await cluster.aws.client(SNSClient).send(new CreateTopicCommand({ Name: 'platform-events' }))).TopicArn as string;
  await created(ALICE, 'team-a', 'snssubscriptions', object('SNSSubscription', 'platform', { topicARN: external, protocol: 'sqs', endpoint: 'mine' }));
  expect(await subscriptionsOf(external)).toHaveLength(1);
});
