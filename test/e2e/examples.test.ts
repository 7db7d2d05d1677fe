// Every manifest in examples/ (the original operator's examples among them) applies unchanged with
// strict validation, every object becomes Ready, each carries exactly the original operator's
// output keys, with values; applied again, client-side or server-side, each is unchanged and nothing
// is written; and every one deletes cleanly. moto's ElastiCache and termination protection gaps are
// filled by the labelled fake (src/aws/moto_fills.py), as `npm start` has it.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { awsWriteCalls } from '../support/aws-metrics.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { Kubectl } from '../support/kubectl.js';
import { startServer } from '../support/processes.js';
import { Manifests } from '../support/manifests.js';

let env: TestEnvironment;
const manifests = new Manifests();

/** Referenced objects first: a subscription's topic and queue must exist when it is written (a stack would wait for its template). */
const FILES = [
  'dynamodb-app.yaml',
  'dynamodb.yaml',
  'ecrrepository.yaml',
  's3bucket.yaml',
  'snstopic.yaml',
  'sqsqueue.yaml',
  'snssubscription.yaml',
  'elasticache.yaml',
  'cloudformationtemplate.yaml',
  'cloudformationstack.yaml',
];

const OUTPUT_KEYS: Record<string, string[]> = {
  DynamoDB: ['region', 'tableARN', 'tableName'],
  ECRRepository: ['repositoryARN', 'repositoryName', 'repositoryURL'],
  S3Bucket: ['bucketARN', 'bucketName', 'bucketURL', 'region', 'websiteURL'],
  SNSTopic: ['topicARN'],
  SQSQueue: ['deadLetterQueueARN', 'deadLetterQueueName', 'deadLetterQueueURL', 'queueARN', 'queueName', 'queueURL'],
  SNSSubscription: ['subscriptionARN'],
  ElastiCache: ['configurationEndpoint', 'configurationEndpointPort', 'redisEndpointAddress', 'redisEndpointPort'],
  CloudFormationTemplate: ['url'],
  CloudFormationStack: [],
};

/** A stack's outputs are its template's. */
const STACK_OUTPUTS: Record<string, string[]> = { 'work-queue': ['AlarmTopicArn', 'QueueArn', 'QueueUrl'], 'table-exports': ['ExportsBucket'] };
const outputKeys = (kind: string, name: string) => STACK_OUTPUTS[name] ?? OUTPUT_KEYS[kind];

/** The documents of a file that this server serves (dynamodb-app.yaml also has a Deployment and Service). */
function ourDocuments(file: string): { text: string; kind: string; name: string }[] {
  return parseAllDocuments(readFileSync(`examples/${file}`, 'utf8'))
    .map((d) => ({ text: d.toString(), object: d.toJS() as { apiVersion: string; kind: string; metadata: { name: string } } }))
    .filter((d) => d.object.apiVersion === 'service-operator.aws/v1alpha1')
    .map((d) => ({ text: d.text, kind: d.object.kind, name: d.object.metadata.name }));
}

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'examples', fillMotoGaps: true });
});

afterAll(async () => {
  await env?.stop();
});

test('every example applies unchanged, becomes Ready, and has the original operator\'s output keys', async () => {
  const objects = FILES.flatMap(ourDocuments);
  expect(new Set(objects.map((o) => o.kind))).toEqual(new Set(Object.keys(OUTPUT_KEYS)));
  for (const object of objects) {
    expect(await env.kubectl.ok(['apply', '--validate=strict', '-f', manifests.file(object.text)])).toContain('created');
  }
  const refs = objects.map((o) => `${o.kind.toLowerCase()}/${o.name}`);
  await env.kubectl.ok(['wait', '--for=condition=Ready', '--timeout=60s', ...refs]);
  for (const object of objects) {
    const found = await env.kubectl.json<{ output: Record<string, string>; status: { resourceStatus: string } }>(['get', object.kind.toLowerCase(), object.name]);
    expect([object.kind, Object.keys(found.output).sort()]).toEqual([object.kind, outputKeys(object.kind, object.name)]);
    // Each has values: the keys that apply to it (a redis or a memcached endpoint, say) are set.
    expect([object.name, Object.values(found.output).filter((value) => value !== '').length > 0]).toEqual([object.name, true]);
    expect(found.status.resourceStatus).toBe(object.kind === 'CloudFormationTemplate' ? 'UPLOAD_COMPLETE' : 'CREATE_COMPLETE');
  }
  expect((await env.kubectl.ok(['get', 'aws', '-o', 'name'])).trim().split('\n')).toHaveLength(objects.length);
});

test('every example applied again is unchanged, client-side and server-side: no new resourceVersion, no AWS write', async () => {
  const objects = FILES.flatMap(ourDocuments);
  const versions = async () => (await env.kubectl.json<{ items: { metadata: { name: string; resourceVersion: string } }[] }>(['get', 'aws'])).items.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).sort();
  for (const object of objects) {
    expect([object.name, (await env.kubectl.ok(['apply', '-f', manifests.file(object.text)])).trim()]).toEqual([object.name, `${object.kind.toLowerCase()}.service-operator.aws/${object.name} unchanged`]);
  }
  // The first server-side apply by kubectl owns the fields (a write); the second changes nothing.
  for (const object of objects) await env.kubectl.ok(['apply', '--server-side', '-f', manifests.file(object.text)]);
  const before = await versions();
  const writes = await awsWriteCalls(() => env.request('/metrics'));
  for (const object of objects) await env.kubectl.ok(['apply', '--server-side', '-f', manifests.file(object.text)]);
  expect(await versions()).toEqual(before);
  expect(await awsWriteCalls(() => env.request('/metrics'))).toBe(writes);
  for (const object of objects) expect(await env.kubectl.ok(['apply', '-f', manifests.file(object.text)])).toMatch(/ (configured|unchanged)\n$/);
  for (const object of objects) expect(await env.kubectl.ok(['apply', '-f', manifests.file(object.text)])).toContain(' unchanged');
});

test('after a restart every example object comes back from AWS alone, unchanged', async () => {
  const before = await env.kubectl.json<{ items: { metadata: { uid: string; name: string } }[] }>(['get', 'aws']);
  const restarted = await startServer({ awsEndpoint: env.moto.endpoint, clusterName: 'examples' });
  try {
    const after = await new Kubectl(restarted.kubeconfig).json<{ items: { metadata: { uid: string; name: string } }[] }>(['get', 'aws']);
    const identities = (list: typeof before) => list.items.map((o) => `${o.metadata.name}/${o.metadata.uid}`).sort();
    expect(identities(after)).toEqual(identities(before));
  } finally {
    await restarted.stop();
  }
});

test('every example object deletes cleanly: the AWS resources go (asynchronously where AWS deletes so), and the objects', async () => {
  const objects = FILES.flatMap(ourDocuments).reverse();
  const refs = objects.map((o) => `${o.kind.toLowerCase()}/${o.name}`);
  // The bucket of the original example is public (its website); it is empty, so it is deleted too.
  await env.kubectl.ok(['delete', '--wait=false', ...refs]);
  await env.kubectl.ok(['wait', '--for=delete', '--timeout=60s', ...refs]);
  expect((await env.kubectl.ok(['get', 'aws', '-o', 'name'])).trim()).toBe('');
});
