// CloudFormationTemplate and CloudFormationStack through kubectl, against moto's CloudFormation (which
// really creates the S3, SQS, SNS, DynamoDB and IAM resources of a template), every claim checked in
// AWS through the SDK. Termination protection is moto's gap: those steps run on the fake of
// src/aws/moto_fills.py and say so.
import { CloudFormationClient, DescribeStacksCommand, ListStacksCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { GetBucketPolicyCommand, GetObjectCommand, GetPublicAccessBlockCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { eventually } from '../support/eventually.js';
import { expectFailure, Manifests } from '../support/manifests.js';

let env: TestEnvironment;
const manifests = new Manifests();

interface StackObject {
  metadata: { generation: number };
  spec: { templateRef?: { name: string; sha256: string }; parameters?: { name: string; value?: string }[] };
  status: { stackName: string; stackStatus: string; resourceStatus: string; parameters?: { name: string; value: string }[]; resources: { logicalId: string; type: string; physicalId: string }[]; conditions: { type: string; status: string; reason: string; message: string }[] };
  output: Record<string, string>;
}

const cfn = () => env.aws.client(CloudFormationClient);
const stackOf = async (name: string) => (await cfn().send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
const QUEUE = (visibility: number) => `  template: |\n    Resources:\n      Work:\n        Type: AWS::SQS::Queue\n        Properties:\n          VisibilityTimeout: ${visibility}\n    Outputs:\n      QueueUrl:\n        Value: !Ref Work\n`;

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'cfn', fillMotoGaps: true });
});

afterAll(async () => {
  await env?.stop();
});

describe('CloudFormationTemplate', () => {
  test('the example is validated and stored in the server\'s private bucket; output.url says where', async () => {
    expect(await env.kubectl.ok(['apply', '--validate=strict', '-f', 'examples/cloudformationtemplate.yaml'])).toContain('cloudformationtemplate.service-operator.aws/queue-with-alarm-topic created');
    const object = await env.kubectl.json<{ output: { url: string }; status: { bucketName: string; objectKey: string; resourceStatus: string } }>(['get', 'cft', 'queue-with-alarm-topic']);
    expect(object.status.resourceStatus).toBe('UPLOAD_COMPLETE');
    expect(object.status.objectKey).toBe('templates/default/queue-with-alarm-topic.yaml');
    expect(object.output.url).toBe(`https://${object.status.bucketName}.s3.us-east-1.amazonaws.com/templates/default/queue-with-alarm-topic.yaml`);
    const s3 = env.aws.client(S3Client);
    const stored = await s3.send(new GetObjectCommand({ Bucket: object.status.bucketName, Key: object.status.objectKey }));
    expect(await stored.Body?.transformToString()).toContain('AWS::SQS::Queue');
    expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: object.status.bucketName }))).PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    await expect(s3.send(new GetBucketPolicyCommand({ Bucket: object.status.bucketName }))).rejects.toThrow(/policy does not exist/i);
    expect(await env.kubectl.ok(['apply', '-f', 'examples/cloudformationtemplate.yaml'])).toContain('unchanged');
    expect(await env.kubectl.ok(['get', 'cloudformationtemplates'])).toMatch(/queue-with-alarm-topic\s+queue-with-alarm-topic\.yaml\s+UPLOAD_COMPLETE/);
  });

  test('a template CloudFormation refuses is 422 on data.template, and nothing is stored', async () => {
    const bad = manifests.file('apiVersion: service-operator.aws/v1alpha1\nkind: CloudFormationTemplate\nmetadata:\n  name: broken\ndata:\n  key: broken.yaml\n  template: "{\\"Description\\": \\"no resources\\"}"\n');
    expect(expectFailure(await env.kubectl.run(['apply', '-f', bad]))).toContain('data.template: Invalid value');
    const bucket = (await env.kubectl.json<{ status: { bucketName: string } }>(['get', 'cft', 'queue-with-alarm-topic'])).status.bucketName;
    const keys = (await env.aws.client(S3Client).send(new ListObjectsV2Command({ Bucket: bucket }))).Contents?.map((c) => c.Key);
    expect(keys).not.toContain('templates/default/broken.yaml');
  });
});

describe('CloudFormationStack', () => {
  test('a stack from the template: its resources exist in AWS, its outputs are the object\'s', async () => {
    expect(await env.kubectl.ok(['apply', '-f', manifests.file(readFileSync('examples/cloudformationstack.yaml', 'utf8').split('---')[0])])).toContain('cloudformationstack.service-operator.aws/work-queue created');
    await env.kubectl.ok(['wait', '--for=condition=Ready', '--timeout=60s', 'cloudformationstack/work-queue']);
    const object = await env.kubectl.json<StackObject>(['get', 'cloudformationstack', 'work-queue']);
    expect(object.status.resourceStatus).toBe('CREATE_COMPLETE');
    expect(Object.keys(object.output).sort()).toEqual(['AlarmTopicArn', 'QueueArn', 'QueueUrl']);
    const queue = await env.aws.client(SQSClient).send(new GetQueueAttributesCommand({ QueueUrl: object.output.QueueUrl, AttributeNames: ['MessageRetentionPeriod'] }));
    expect(queue.Attributes?.MessageRetentionPeriod).toBe('1209600');
    expect(object.status.resources.map((r) => r.type).sort()).toEqual(['AWS::SNS::Topic', 'AWS::SQS::Queue']);
    const stack = await stackOf(object.status.stackName);
    expect(stack?.Tags).toEqual([{ Key: 'team', Value: 'payments' }]);
    expect(object.spec.templateRef?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await env.kubectl.ok(['apply', '-f', manifests.file(readFileSync('examples/cloudformationstack.yaml', 'utf8').split('---')[0])])).toContain('unchanged');
  });

  test('an update is a change set; the stack changes in AWS', async () => {
    await env.kubectl.ok(['apply', '-f', manifests.object('CloudFormationStack', 'inline', QUEUE(30))]);
    const before = await env.kubectl.json<StackObject>(['get', 'cloudformationstack', 'inline']);
    await env.kubectl.ok(['apply', '-f', manifests.object('CloudFormationStack', 'inline', QUEUE(90))]);
    await env.kubectl.ok(['wait', '--for=condition=Ready', '--timeout=60s', 'cloudformationstack/inline']);
    const after = await env.kubectl.json<StackObject>(['get', 'cloudformationstack', 'inline']);
    expect([after.metadata.generation, after.status.stackStatus]).toEqual([2, 'UPDATE_COMPLETE']);
    const queue = await env.aws.client(SQSClient).send(new GetQueueAttributesCommand({ QueueUrl: after.output.QueueUrl, AttributeNames: ['VisibilityTimeout'] }));
    expect(queue.Attributes?.VisibilityTimeout).toBe('90');
    expect(before.status.stackName).toBe(after.status.stackName);
  });

  test('parameters from ConfigMap keys (here: another object\'s outputs): the spec as written, the values in status', async () => {
    await env.kubectl.ok(['apply', '-f', 'examples/dynamodb.yaml']);
    const table = await env.kubectl.ok(['get', 'ddb', 'example-table-name', '-o', 'jsonpath={.output.tableName}']);
    const file = manifests.file(readFileSync('examples/cloudformationstack.yaml', 'utf8').split('---')[1]);
    await env.kubectl.ok(['apply', '-f', file]);
    const object = await env.kubectl.json<StackObject>(['get', 'cloudformationstack', 'table-exports']);
    expect(object.spec.parameters).toEqual([{ name: 'TableName', valueFrom: { configMapKeyRef: { name: 'example-table-name', key: 'tableName' } } }]);
    expect(object.status.parameters).toEqual([{ name: 'TableName', value: table }]);
    expect((await stackOf(object.status.stackName))?.Parameters).toEqual([{ ParameterKey: 'TableName', ParameterValue: table }]);
    expect(await env.kubectl.ok(['apply', '-f', file])).toContain('unchanged');
  });

  test('a new stack naming what does not exist yet waits for it (Ready=False, WaitingForReferences), and is created once it exists', async () => {
    const before = (await cfn().send(new ListStacksCommand({}))).StackSummaries?.length;
    const waiting = manifests.object('CloudFormationStack', 'later', `  templateRef: {name: later-template}\n  parameters:\n    - {name: Visibility, valueFrom: {configMapKeyRef: {name: later-table, key: tableName}}}\n`);
    expect(await env.kubectl.ok(['apply', '-f', waiting])).toContain('cloudformationstack.service-operator.aws/later created');
    const held = await env.kubectl.json<StackObject>(['get', 'cloudformationstack', 'later']);
    expect(held.status.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'WaitingForReferences', message: 'waiting for CloudFormationTemplate "later-template" and key "tableName" of ConfigMap "later-table" of this namespace: the stack is created once they exist' });
    expect(held.status.resourceStatus).toBe('CREATE_PENDING');
    expect((await cfn().send(new ListStacksCommand({}))).StackSummaries?.length).toBe(before);
    // Applied again while it waits: unchanged, both ways.
    expect(await env.kubectl.ok(['apply', '-f', waiting])).toContain('unchanged');
    expect(await env.kubectl.ok(['apply', '--server-side', '-f', waiting])).toContain('serverside-applied');
    const template = 'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  Visibility:\n    Type: String\nResources:\n  Work:\n    Type: AWS::SQS::Queue\nOutputs:\n  Table:\n    Value: !Ref Visibility\n';
    await env.kubectl.ok(['apply', '-f', manifests.file(`apiVersion: service-operator.aws/v1alpha1\nkind: CloudFormationTemplate\nmetadata:\n  name: later-template\ndata:\n  template: ${JSON.stringify(template)}\n`)]);
    // The template alone is not enough: the stack still waits for the key (the retry after the template's write says so).
    const readyMessage = async () => (await env.kubectl.json<StackObject>(['get', 'cloudformationstack', 'later'])).status.conditions.find((c) => c.type === 'Ready')?.message;
    await eventually('the stack to wait for the key alone', async () => (await readyMessage())?.startsWith('waiting for key "tableName" of ConfigMap "later-table" of this namespace: the stack is created once it exists'));
    await env.kubectl.ok(['apply', '-f', manifests.object('DynamoDB', 'later-table', '  hashAttribute: {name: id, type: S}\n')]);
    await env.kubectl.ok(['wait', '--for=condition=Ready', '--timeout=60s', 'cloudformationstack/later']);
    const made = await env.kubectl.json<StackObject>(['get', 'cloudformationstack', 'later']);
    const table = await env.kubectl.ok(['get', 'ddb', 'later-table', '-o', 'jsonpath={.output.tableName}']);
    expect(made.output.Table).toBe(table);
    expect(made.status.stackStatus).toBe('CREATE_COMPLETE');
    // The first client-side apply after a server-side one records the last-applied annotation again (as for a CRD).
    await env.kubectl.ok(['apply', '-f', waiting]);
    expect(await env.kubectl.ok(['apply', '-f', waiting])).toContain('unchanged');
  });

  test('a waiting stack deletes cleanly, without ever reaching CloudFormation', async () => {
    const before = (await cfn().send(new ListStacksCommand({}))).StackSummaries?.length;
    const template = '  template: |\n    Parameters:\n      X: {Type: String}\n    Resources:\n      Work:\n        Type: AWS::SQS::Queue\n    Outputs:\n      X:\n        Value: !Ref X\n';
    const missing = manifests.object('CloudFormationStack', 'no-key', `${template}  parameters:\n    - {name: X, valueFrom: {configMapKeyRef: {name: example-table-name, key: nope}}}\n`);
    await env.kubectl.ok(['apply', '-f', missing]);
    expect((await env.kubectl.json<StackObject>(['get', 'cloudformationstack', 'no-key'])).status.conditions.find((c) => c.type === 'Ready')?.reason).toBe('WaitingForReferences');
    await env.kubectl.ok(['delete', 'cloudformationstack', 'no-key']);
    expect(await env.kubectl.ok(['get', 'cloudformationstacks', '-o', 'name'])).not.toContain('no-key');
    expect((await cfn().send(new ListStacksCommand({}))).StackSummaries?.length).toBe(before);
  });

  test('what CloudFormation would refuse is refused before anything is made: capabilities, unknown parameters, a created stack naming a missing template', async () => {
    const role = '  template: |\n    Resources:\n      Role:\n        Type: AWS::IAM::Role\n        Properties:\n          AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}\n';
    const before = (await cfn().send(new ListStacksCommand({}))).StackSummaries?.length;
    expect(expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('CloudFormationStack', 'iam', `${QUEUE(30)}  parameters:\n    - {name: Nope, value: x}\n`)]))).toContain('spec.parameters[0].name');
    // A running stack cannot wait: moving it to a template that does not exist is refused.
    expect(expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('CloudFormationStack', 'inline', '  templateRef: {name: nothing}\n')]))).toContain('no CloudFormationTemplate named "nothing"');
    expect(expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('CloudFormationStack', 'both', '  templateRef: {name: x}\n  template: "{}"\n')]))).toContain('spec.template');
    expect((await cfn().send(new ListStacksCommand({}))).StackSummaries?.length).toBe(before);
    // moto's ValidateTemplate does not name the capabilities a template needs; CloudFormation's does, and then the spec must acknowledge them.
    await env.kubectl.ok(['apply', '-f', manifests.object('CloudFormationStack', 'iam', `${role}  capabilities: [CAPABILITY_IAM]\n`)]);
    expect((await env.kubectl.json<StackObject>(['get', 'cloudformationstack', 'iam'])).status.resources.map((r) => r.type)).toEqual(['AWS::IAM::Role']);
  });

  test('out-of-band changes are seen through DescribeStacks: an update made with the AWS CLI shows in GET', async () => {
    const object = await env.kubectl.json<StackObject>(['get', 'cloudformationstack', 'inline']);
    const body = 'Resources:\n  Work:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 120\nOutputs:\n  QueueUrl:\n    Value: !Ref Work\n  Extra:\n    Value: added-in-the-console\n';
    await cfn().send(new UpdateStackCommand({ StackName: object.status.stackName, TemplateBody: body }));
    const seen = await env.kubectl.json<StackObject & { spec: { template: string } }>(['get', 'cloudformationstack', 'inline']);
    expect(seen.spec.template).toBe(body);
    expect(seen.output.Extra).toBe('added-in-the-console');
  });

  test('[fake: termination protection] a protected stack is not deleted (409); unprotected, delete removes the stack and its resources', async () => {
    await env.kubectl.ok(['apply', '-f', manifests.object('CloudFormationStack', 'inline', `${QUEUE(90)}  terminationProtection: true\n`)]);
    const object = await env.kubectl.json<StackObject>(['get', 'cloudformationstack', 'inline']);
    expect((await stackOf(object.status.stackName))?.EnableTerminationProtection).toBe(true);
    expect(expectFailure(await env.kubectl.run(['delete', 'cloudformationstack', 'inline']))).toContain('termination protection is enabled');
    await env.kubectl.ok(['apply', '-f', manifests.object('CloudFormationStack', 'inline', QUEUE(90))]);
    await env.kubectl.ok(['delete', 'cloudformationstack', 'inline', 'work-queue', 'table-exports', 'iam', 'later']);
    const statuses = (await cfn().send(new ListStacksCommand({}))).StackSummaries?.map((s) => s.StackStatus);
    expect(new Set(statuses)).toEqual(new Set(['DELETE_COMPLETE']));
    await expect(env.aws.client(SQSClient).send(new GetQueueAttributesCommand({ QueueUrl: object.output.QueueUrl, AttributeNames: ['All'] }))).rejects.toThrow();
  });

  test('the deletion policy retain keeps the stack and only releases it', async () => {
    await env.kubectl.ok(['apply', '-f', manifests.object('CloudFormationStack', 'kept', QUEUE(30), '  annotations: {service-operator.aws/deletion-policy: retain}\n')]);
    const name = (await env.kubectl.json<StackObject>(['get', 'cloudformationstack', 'kept'])).status.stackName;
    await env.kubectl.ok(['delete', 'cloudformationstack', 'kept']);
    expect((await stackOf(name))?.StackStatus).toBe('CREATE_COMPLETE');
    expect(await env.kubectl.ok(['get', 'cloudformationstacks', '-o', 'name'])).toBe('');
  });
});
