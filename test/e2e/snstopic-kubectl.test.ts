// SNSTopic end to end: the original operator's manifest (`spec:` empty) through the real kubectl, every
// claim checked in SNS itself through the AWS SDK.
import { CreateTopicCommand, GetTopicAttributesCommand, ListTagsForResourceCommand, SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { topicArns, expectUnchanged } from '../support/aws.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { expectFailure, Manifests } from '../support/manifests.js';

let env: TestEnvironment;
const manifests = new Manifests();
const ORIGINAL = manifests.file('apiVersion: service-operator.aws/v1alpha1\nkind: SNSTopic\nmetadata:\n  name: example-sns-topic-name\nspec:\n');
const TOPIC = 'e2e_default_example-sns-topic-name';

const attributes = async (arn: string) => (await env.aws.client(SNSClient).send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes ?? {};
const arnOf = async () => (await topicArns(env.aws)).find((arn) => arn.endsWith(`:${TOPIC}`)) as string;

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'e2e' });
});

afterAll(async () => {
  await env?.stop();
});

describe('SNSTopic through kubectl', () => {
  test('the original operator\'s manifest applies unchanged and creates the topic, tagged', async () => {
    expect(await env.kubectl.ok(['apply', '--validate=strict', '-f', ORIGINAL])).toContain('snstopic.service-operator.aws/example-sns-topic-name created');
    const arn = await arnOf();
    expect(arn).toMatch(/^arn:aws:sns:us-east-1:\d+:e2e_default_example-sns-topic-name$/);
    const tags = (await env.aws.client(SNSClient).send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags ?? [];
    expect(tags).toContainEqual({ Key: 'service-operator.aws/namespace', Value: 'default' });
    expect(await env.kubectl.ok(['apply', '-f', ORIGINAL])).toContain('unchanged');
  });

  test('get, -o yaml and -o wide show the topic and its output', async () => {
    expect(await env.kubectl.ok(['get', 'sns'])).toMatch(/example-sns-topic-name\s+e2e_default_example-sns-topic-name\s+false\s+0/);
    const object = await env.kubectl.json<{ status: { topicARN: string; conditions: { type: string; status: string }[] }; output: Record<string, string> }>(['get', 'topic', 'example-sns-topic-name']);
    expect(object.output).toEqual({ topicARN: await arnOf() });
    expect(object.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(await env.kubectl.ok(['get', 'snstopic', 'example-sns-topic-name', '-o', 'yaml'])).toContain('fifoTopic: false');
    expect(await env.kubectl.ok(['get', 'topics', '-o', 'wide'])).toMatch(/ARN\s+DISPLAY NAME[\s\S]*arn:aws:sns:us-east-1:/);
    expect(await env.kubectl.ok(['explain', 'snstopic.spec.fifoTopic'])).toContain('Cannot be changed');
  });

  test('apply a change: display name and delivery policy reach SNS', async () => {
    const changed = manifests.object('SNSTopic', 'example-sns-topic-name', '  displayName: Orders\n  deliveryPolicy:\n    http:\n      defaultHealthyRetryPolicy: {numRetries: 5}\n');
    expect(await env.kubectl.ok(['apply', '-f', changed])).toContain('configured');
    const attrs = await attributes(await arnOf());
    expect(attrs.DisplayName).toBe('Orders');
    expect(JSON.parse(attrs.DeliveryPolicy)).toEqual({ http: { defaultHealthyRetryPolicy: { numRetries: 5 } } });
    expect(await env.kubectl.ok(['apply', '-f', changed])).toContain('unchanged');
  });

  test('an out-of-band change in SNS shows on the next get', async () => {
    await env.aws.client(SNSClient).send(new SetTopicAttributesCommand({ TopicArn: await arnOf(), AttributeName: 'DisplayName', AttributeValue: 'Console' }));
    expect(await env.kubectl.ok(['get', 'sns', 'example-sns-topic-name', '-o', 'jsonpath={.spec.displayName}'])).toBe('Console');
  });

  test('a custom access policy is applied, and removing it restores AWS\'s default', async () => {
    const policy = '  policy:\n    Version: "2012-10-17"\n    Statement:\n    - {Sid: pub, Effect: Allow, Principal: {Service: s3.amazonaws.com}, Action: "SNS:Publish", Resource: "*"}\n';
    await env.kubectl.ok(['apply', '-f', manifests.object('SNSTopic', 'example-sns-topic-name', policy)]);
    expect((JSON.parse((await attributes(await arnOf())).Policy) as { Statement: { Sid: string }[] }).Statement[0].Sid).toBe('pub');
    await env.kubectl.ok(['apply', '-f', ORIGINAL]);
    expect((JSON.parse((await attributes(await arnOf())).Policy) as { Id: string }).Id).toBe('__default_policy_ID');
    expect(await env.kubectl.ok(['get', 'sns', 'example-sns-topic-name', '-o', 'jsonpath={.spec}'])).not.toContain('policy');
  });

  test('bad inputs are 4xx and create nothing in SNS', async () => {
    await expectUnchanged(() => topicArns(env.aws), async () => {
      const badName = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('SNSTopic', 'bad-name', '  topicName: "has.dot"\n')]));
      expect(badName).toContain('spec.topicName');
      const dedup = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('SNSTopic', 'bad-dedup', '  contentBasedDeduplication: true\n')]));
      expect(dedup).toContain('spec.contentBasedDeduplication: Forbidden: only FIFO topics');
      const fifoName = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('SNSTopic', 'bad-fifo', '  topicName: plain\n  fifoTopic: true\n')]));
      expect(fifoName).toContain('followed by ".fifo"');
      const unknown = expectFailure(await env.kubectl.run(['apply', '--validate=strict', '-f', manifests.object('SNSTopic', 'bad-field', '  colour: blue\n')]));
      expect(unknown).toContain('unknown field "spec.colour"');
    });
    const immutable = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('SNSTopic', 'example-sns-topic-name', '  topicName: renamed\n')]));
    expect(immutable).toContain('spec.topicName: Invalid value: "renamed": field is immutable');
  });

  test('a FIFO topic gets a ".fifo" default name', async () => {
    await env.kubectl.ok(['apply', '-f', manifests.object('SNSTopic', 'ordered', '  fifoTopic: true\n  contentBasedDeduplication: true\n')]);
    expect(await topicArns(env.aws)).toContainEqual(expect.stringMatching(/:e2e_default_ordered\.fifo$/));
    await env.kubectl.ok(['delete', 'sns', 'ordered']);
  });

  test('delete removes the topic from SNS', async () => {
    expect(await env.kubectl.ok(['delete', '-f', ORIGINAL])).toContain('deleted');
    expect(await arnOf()).toBeUndefined();
    expect(expectFailure(await env.kubectl.run(['get', 'sns', 'example-sns-topic-name']))).toContain('not found');
  });

  test('the retain deletion policy keeps the topic and drops only the ownership tags', async () => {
    await env.kubectl.ok(['apply', '-f', manifests.object('SNSTopic', 'kept', '  topicName: kept-topic\n  tags: {team: ops}\n', '  annotations: {service-operator.aws/deletion-policy: retain}\n')]);
    await env.kubectl.ok(['delete', 'sns', 'kept']);
    const arn = (await topicArns(env.aws)).find((a) => a.endsWith(':kept-topic')) as string;
    // The user's tags, and the mark that lets only this namespace adopt it again (docs/security.md).
    const tags = (await env.aws.client(SNSClient).send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags ?? [];
    expect(tags.sort((a, b) => (a.Key ?? '').localeCompare(b.Key ?? ''))).toEqual([{ Key: 'service-operator.aws/retained', Value: 'e2e/default/kept' }, { Key: 'team', Value: 'ops' }]);
    expect(expectFailure(await env.kubectl.run(['get', 'sns', 'kept']))).toContain('not found');
  });

  test('a physical name taken by a resource this server does not manage is 409, and it is left alone', async () => {
    await env.aws.client(SNSClient).send(new CreateTopicCommand({ Name: 'taken-topic' }));
    const result = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('SNSTopic', 'adopter', '  topicName: taken-topic\n')]));
    expect(result).toContain('already exists');
    expect(result).toContain('not managed by this server');
  });
});
