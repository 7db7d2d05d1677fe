// User finalizers hold a deletion: DELETE records it (deletionTimestamp) and leaves the resource; the
// write that removes the last finalizer completes it. When AWS refuses that deletion (a bucket that
// holds objects is never emptied), the write is refused as a whole and nothing changes (found by the
// HTTP fuzz test: the finalizer was gone from AWS although the request answered 409).
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { bucketNames } from '../support/aws.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';

const BUCKETS = '/apis/service-operator.aws/v1alpha1/namespaces/default/s3buckets';
const HOLD = 'example.com/hold';
let env: TestEnvironment;

interface Bucket {
  metadata: { finalizers?: string[]; deletionTimestamp?: string };
  status: { bucketName: string };
}

const get = async () => (await env.request(`${BUCKETS}/held`)).json<Bucket>();
const dropFinalizers = () => env.request(`${BUCKETS}/held`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { finalizers: null } }) });

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'finalizers' });
});

afterAll(async () => {
  await env?.stop();
});

test('a finalizer holds the deletion; removing it deletes the bucket, unless AWS refuses: then nothing changes', async () => {
  const body = JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'S3Bucket', metadata: { name: 'held', finalizers: [HOLD] }, spec: {} });
  expect((await env.request(BUCKETS, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })).status).toBe(201);
  const bucket = (await get()).status.bucketName;
  const s3 = env.aws.client(S3Client);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'data', Body: 'kept' }));

  const deleting = await env.request(`${BUCKETS}/held`, { method: 'DELETE' });
  expect(deleting.json<Bucket>().metadata).toMatchObject({ finalizers: [HOLD], deletionTimestamp: expect.any(String) });

  const refused = await dropFinalizers();
  expect([refused.status, refused.json<{ message: string }>().message]).toEqual([409, expect.stringContaining('the bucket is not empty')]);
  expect((await get()).metadata).toMatchObject({ finalizers: [HOLD], deletionTimestamp: expect.any(String) });
  expect(await bucketNames(env.aws)).toContain(bucket);

  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'data' }));
  expect((await dropFinalizers()).status).toBe(200);
  expect(await bucketNames(env.aws)).not.toContain(bucket);
  expect((await env.request(`${BUCKETS}/held`)).status).toBe(404);
});
