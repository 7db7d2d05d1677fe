// Namespaces on the real control plane. Deleting a namespace makes kube-controller-manager's namespace
// controller delete every collection in it, ours too (through the aggregator): the AWS resources go
// unless retained. A bucket that is not empty is never emptied by us: the namespace stays Terminating
// and its NamespaceDeletionContentFailure condition says why, and once the bucket is emptied the
// namespace goes. Creating in a terminating or missing namespace is refused as kube-apiserver refuses it.
import { DeleteObjectCommand, GetBucketTaggingCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { bucketNames, queueNames, tableNames } from '../support/aws.js';
import { eventually } from '../support/eventually.js';
import { startTestCluster, type TestCluster } from '../support/real-cluster.js';

let t: TestCluster;
const NAMESPACE = 'doomed';

interface NamespaceCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

const manifest = (kind: string, name: string, spec: Record<string, unknown> = {}, annotations: Record<string, string> = {}) =>
  JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind, metadata: { name, namespace: NAMESPACE, annotations }, spec });

async function physicalName(kind: string, name: string, field: string): Promise<string> {
  const object = await t.kubectl(NAMESPACE).json<{ spec: Record<string, string> }>(['get', kind, name]);
  return object.spec[field];
}

async function namespaceConditions(): Promise<NamespaceCondition[] | undefined> {
  const result = await t.kubectl(null).run(['get', 'namespace', NAMESPACE, '-o', 'json']);
  if (result.code !== 0) return undefined;
  return (JSON.parse(result.stdout) as { status: { conditions?: NamespaceCondition[] } }).status.conditions ?? [];
}

beforeAll(async () => {
  t = await startTestCluster({ clusterName: 'lifecycle' });
});

afterAll(async () => {
  await t?.stop();
});

test('deleting a namespace deletes its AWS resources, keeps the retained ones, and waits, saying why, for a bucket that is not empty', async () => {
  await t.kubectl(null).ok(['create', 'namespace', NAMESPACE]);
  const objects = [
    manifest('DynamoDB', 'ledger', { hashAttribute: { name: 'id', type: 'S' } }),
    manifest('SQSQueue', 'jobs'),
    manifest('S3Bucket', 'empty'),
    manifest('S3Bucket', 'full'),
    manifest('S3Bucket', 'kept', {}, { 'service-operator.aws/deletion-policy': 'retain' }),
  ];
  await t.kubectl(null).ok(['apply', '-f', '-'], { input: objects.join('\n') });
  const [emptyBucket, fullBucket, keptBucket] = [await physicalName('s3bucket', 'empty', 'bucketName'), await physicalName('s3bucket', 'full', 'bucketName'), await physicalName('s3bucket', 'kept', 'bucketName')];
  const s3 = t.aws.client(S3Client);
  await s3.send(new PutObjectCommand({ Bucket: fullBucket, Key: 'report.csv', Body: 'a,b\n' }));

  await t.kubectl(null).ok(['delete', 'namespace', NAMESPACE, '--wait=false']);
  const failure = await eventually(
    'the namespace controller to report the bucket it cannot delete',
    async () => (await namespaceConditions())?.find((c) => c.type === 'NamespaceDeletionContentFailure' && c.status === 'True'),
    { timeoutMs: 60_000 },
  );
  expect(failure.message).toContain(`s3buckets.service-operator.aws "full"`);
  expect(failure.message).toContain('the bucket is not empty');

  // Every other object was deleted (or released) although that bucket was refused.
  expect(await tableNames(t.aws)).not.toContain('lifecycle.doomed.ledger');
  expect((await queueNames(t.aws)).filter((q) => q.includes('doomed'))).toEqual([]);
  const buckets = await bucketNames(t.aws);
  expect(buckets).not.toContain(emptyBucket);
  expect(buckets).toEqual(expect.arrayContaining([fullBucket, keptBucket]));
  const keptTags = await s3.send(new GetBucketTaggingCommand({ Bucket: keptBucket })).then((r) => r.TagSet ?? [], () => []);
  // Released: only the mark that lets its namespace adopt it again (docs/security.md).
  expect(keptTags.filter((tag) => tag.Key?.startsWith('service-operator.aws'))).toEqual([{ Key: 'service-operator.aws/retained', Value: 'lifecycle/doomed/kept' }]);
  expect((await t.kubectl(NAMESPACE).ok(['get', 'aws', '-o', 'name'])).trim()).toBe('s3bucket.service-operator.aws/full');

  // A namespace being deleted takes nothing new, as kube-apiserver's NamespaceLifecycle refuses it.
  const refused = await t.kubectl(null).run(['apply', '-f', '-'], { input: manifest('SQSQueue', 'late') });
  expect(refused.stderr).toMatch(/Forbidden.*unable to create new content in namespace doomed because it is being terminated/);

  await s3.send(new DeleteObjectCommand({ Bucket: fullBucket, Key: 'report.csv' }));
  await eventually('the namespace to be gone', async () => (await namespaceConditions()) === undefined, { timeoutMs: 120_000 });
  expect(await bucketNames(t.aws)).not.toContain(fullBucket);
  expect(await bucketNames(t.aws)).toContain(keptBucket);
});

test('creating in a namespace that does not exist is NotFound, as for built-in kinds', async () => {
  const result = await t.kubectl(null).run(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'SQSQueue', metadata: { name: 'q', namespace: 'nowhere' }, spec: {} }) });
  expect(result.stderr).toContain('namespaces "nowhere" not found');
  expect((await queueNames(t.aws)).filter((q) => q.includes('nowhere'))).toEqual([]);
});
