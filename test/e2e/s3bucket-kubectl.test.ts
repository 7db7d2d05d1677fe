// S3Bucket end to end: the original operator's manifest through the real kubectl, safe deletion of a
// bucket that holds objects, every claim checked in S3 through the AWS SDK.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetBucketWebsiteCommand,
  GetPublicAccessBlockCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { bucketNames, expectUnchanged } from '../support/aws.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { expectFailure, Manifests } from '../support/manifests.js';

let env: TestEnvironment;
const manifests = new Manifests();
const ORIGINAL_SPEC = '  versioning: true\n  accessControl: PublicRead\n  website: {enabled: true, indexPage: index.html, errorPage: 500.html}\n  logging: {enabled: false, prefix: "archive"}\n';
const ORIGINAL = manifests.object('S3Bucket', 'private', ORIGINAL_SPEC);

const s3 = () => env.aws.client(S3Client);
let bucket: string;

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'e2e' });
});

afterAll(async () => {
  await env?.stop();
});

describe('S3Bucket through kubectl', () => {
  test('the original operator\'s manifest applies unchanged: a versioned, public-read website bucket', async () => {
    expect(await env.kubectl.ok(['apply', '--validate=strict', '-f', ORIGINAL])).toContain('s3bucket.service-operator.aws/private created');
    bucket = (await bucketNames(env.aws)).find((name) => name.startsWith('e2e-default-private-')) as string;
    expect(bucket).toMatch(/^e2e-default-private-[0-9a-f]{8}$/);
    const b = { Bucket: bucket };
    expect((await s3().send(new GetBucketVersioningCommand(b))).Status).toBe('Enabled');
    expect((await s3().send(new GetBucketAclCommand(b))).Grants).toContainEqual(expect.objectContaining({ Grantee: expect.objectContaining({ URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }), Permission: 'READ' }));
    expect((await s3().send(new GetBucketWebsiteCommand(b))).ErrorDocument?.Key).toBe('500.html');
    expect((JSON.parse((await s3().send(new GetBucketPolicyCommand(b))).Policy as string) as { Statement: unknown[] }).Statement[0]).toMatchObject({ Principal: '*', Action: 's3:GetObject' });
    expect((await s3().send(new GetPublicAccessBlockCommand(b))).PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    expect((await s3().send(new GetBucketTaggingCommand(b))).TagSet).toContainEqual({ Key: 'service-operator.aws/name', Value: 'private' });
    // Re-applying changes nothing (the disabled logging's prefix is not stored, so kubectl may say "configured").
    await env.kubectl.ok(['apply', '-f', ORIGINAL]);
    expect(await env.kubectl.ok(['get', 's3', 'private', '-o', 'jsonpath={.metadata.generation}'])).toBe('1');
  });

  test('get, -o yaml and -o wide show the bucket and the original operator\'s outputs', async () => {
    expect(await env.kubectl.ok(['get', 'buckets'])).toMatch(new RegExp(`private\\s+${bucket}\\s+us-east-1\\s+true`));
    const object = await env.kubectl.json<{ spec: Record<string, unknown>; output: Record<string, string> }>(['get', 'bucket', 'private']);
    expect(object.output).toEqual({
      bucketName: bucket,
      bucketARN: `arn:aws:s3:::${bucket}`,
      region: 'us-east-1',
      bucketURL: `${bucket}.s3.us-east-1.amazonaws.com`,
      websiteURL: `http://${bucket}.s3-website-us-east-1.amazonaws.com`,
    });
    expect(object.spec.policy).toBeUndefined();
    expect(object.spec.ownership).toBe('ObjectWriter');
    expect(await env.kubectl.ok(['get', 's3bucket', 'private', '-o', 'yaml'])).toContain('publicRead: true');
    expect(await env.kubectl.ok(['get', 's3', '-o', 'wide'])).toMatch(/ACCESS\s+WEBSITE\s+ARN[\s\S]*PublicRead\s+http:\/\//);
  });

  test('apply a change: versioning suspended, lifecycle and CORS rules reach S3', async () => {
    const extra = '  lifecycleRules:\n  - {id: expire-tmp, prefix: tmp/, expirationDays: 7}\n  cors:\n  - {allowedOrigins: ["https://example.com"], allowedMethods: [GET]}\n';
    const changed = manifests.object('S3Bucket', 'private', `${ORIGINAL_SPEC.replace('versioning: true', 'versioning: false')}${extra}`);
    await env.kubectl.ok(['apply', '-f', changed]);
    const b = { Bucket: bucket };
    expect((await s3().send(new GetBucketVersioningCommand(b))).Status).toBe('Suspended');
    expect((await s3().send(new GetBucketLifecycleConfigurationCommand(b))).Rules?.[0]).toMatchObject({ ID: 'expire-tmp', Expiration: { Days: 7 } });
    expect((await s3().send(new GetBucketCorsCommand(b))).CORSRules?.[0]).toMatchObject({ AllowedOrigins: ['https://example.com'], AllowedMethods: ['GET'] });
    await env.kubectl.ok(['apply', '-f', changed]);
    expect(await env.kubectl.ok(['get', 's3', 'private', '-o', 'jsonpath={.metadata.generation}'])).toBe('2');
  });

  test('an out-of-band change in S3 shows on the next get', async () => {
    await s3().send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    expect(await env.kubectl.ok(['get', 's3', 'private', '-o', 'jsonpath={.spec.versioning}'])).toBe('true');
  });

  test('access logs into the bucket itself: the server adds the log delivery grant to the bucket policy', async () => {
    await env.kubectl.ok(['apply', '-f', manifests.object('S3Bucket', 'logged', '  bucketName: e2e-logged-bucket\n  logging: {enabled: true, prefix: logs/}\n')]);
    expect((await s3().send(new GetBucketLoggingCommand({ Bucket: 'e2e-logged-bucket' }))).LoggingEnabled).toEqual({ TargetBucket: 'e2e-logged-bucket', TargetPrefix: 'logs/' });
    const policy = JSON.parse((await s3().send(new GetBucketPolicyCommand({ Bucket: 'e2e-logged-bucket' }))).Policy as string) as { Statement: unknown[] };
    expect(policy.Statement[0]).toMatchObject({ Principal: { Service: 'logging.s3.amazonaws.com' }, Resource: 'arn:aws:s3:::e2e-logged-bucket/logs/*' });
    const spec = await env.kubectl.json<{ spec: Record<string, unknown> }>(['get', 's3', 'logged']);
    expect(spec.spec).toMatchObject({ logging: { enabled: true, prefix: 'logs/' }, publicAccessBlock: { blockPublicAcls: true, blockPublicPolicy: true }, ownership: 'BucketOwnerEnforced' });
    expect(spec.spec.policy).toBeUndefined();
  });

  test('bad inputs are 4xx and create nothing in S3', async () => {
    await expectUnchanged(() => bucketNames(env.aws), async () => {
      for (const bad of ['Has-Upper', '192.168.1.1', 'xn--punycode', 'a..b']) {
        const result = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('S3Bucket', 'bad-name', `  bucketName: "${bad}"\n`)]));
        expect(result).toContain('spec.bucketName');
      }
      const acl = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('S3Bucket', 'bad-acl', '  accessControl: PublicRead\n  ownership: BucketOwnerEnforced\n')]));
      expect(acl).toContain('spec.accessControl: Forbidden');
      const region = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('S3Bucket', 'bad-region', '  region: eu-west-1\n')]));
      expect(region).toContain('spec.region: Unsupported value: "eu-west-1": this server manages buckets in us-east-1');
    });
    const immutable = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('S3Bucket', 'private', '  bucketName: renamed-bucket\n')]));
    expect(immutable).toContain('spec.bucketName: Invalid value: "renamed-bucket": field is immutable');
  });

  test('a bucket name taken by a bucket this server does not manage is 409, and that bucket is left alone', async () => {
    await s3().send(new CreateBucketCommand({ Bucket: 'someone-elses-bucket' }));
    const result = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('S3Bucket', 'adopter', '  bucketName: someone-elses-bucket\n')]));
    expect(result).toContain('not managed by this server');
    await expect(s3().send(new GetBucketTaggingCommand({ Bucket: 'someone-elses-bucket' }))).rejects.toThrow();
  });

  test('a bucket holding objects is not emptied: delete is 409 until it is empty', async () => {
    await s3().send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'index.html', Body: '<h1>hi</h1>' }));
    const refused = expectFailure(await env.kubectl.run(['delete', 's3', 'private']));
    expect(refused).toContain('the bucket is not empty, and this server never deletes the objects in a bucket');
    expect(await bucketNames(env.aws)).toContain(bucket);
    await s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'index.html', VersionId: 'null' }));
    expect(await env.kubectl.ok(['delete', '-f', ORIGINAL])).toContain('deleted');
    expect(await bucketNames(env.aws)).not.toContain(bucket);
  });

  test('the retain deletion policy keeps the bucket and drops only the ownership tags', async () => {
    await env.kubectl.ok(['apply', '-f', manifests.object('S3Bucket', 'kept', '  bucketName: e2e-kept-bucket\n', '  annotations: {service-operator.aws/deletion-policy: retain}\n')]);
    await env.kubectl.ok(['delete', 's3', 'kept']);
    expect(await bucketNames(env.aws)).toContain('e2e-kept-bucket');
    // Only the mark that lets this namespace, and no other, adopt it again (docs/security.md).
    expect((await s3().send(new GetBucketTaggingCommand({ Bucket: 'e2e-kept-bucket' }))).TagSet).toEqual([{ Key: 'service-operator.aws/retained', Value: 'e2e/default/kept' }]);
  });
});
