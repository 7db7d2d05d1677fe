// The S3 bucket the server keeps its own objects in, one per cluster, account and region: templates
// (CloudFormationTemplate) and, for AWS resources that cannot carry our tags (a stack's tags would be
// copied onto every resource it makes), JSON documents standing in for those tags. Private: Block
// Public Access on, ACLs disabled, encrypted; created the first time it is needed. It is not an
// S3Bucket object: it carries no ownership tags, so no kind lists it.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { AwsContext } from './context.js';
import { awsErrorCode } from './errors.js';
import { TAG_PREFIX } from './metadata-tags.js';
import { allPages } from './paginate.js';
import { fromTagList, toTagList } from './tag-list.js';

/** The one tag of the server's bucket: which cluster it serves. Not CLUSTER_TAG, so no kind lists it. */
export const SERVER_BUCKET_TAG = `${TAG_PREFIX}server-bucket-of`;

const s3 = (ctx: AwsContext): S3Client => ctx.aws.client(S3Client);

/** `aws-service-apiserver-<account>-<region>-<hash of the cluster name>`: bucket names are global. */
export async function serverBucketName(ctx: AwsContext): Promise<string> {
  const cluster = createHash('sha256').update(ctx.clusterName).digest('hex').slice(0, 8);
  return `aws-service-apiserver-${await ctx.accountId()}-${ctx.region}-${cluster}`;
}

/** Buckets made or found by this process, so that the checks run once. */
const ensured = new Set<string>();

const missing = (error: unknown): boolean => ['NoSuchBucket', 'NotFound', 'NoSuchKey'].includes(awsErrorCode(error)) || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

async function bucketExists(ctx: AwsContext, bucket: string): Promise<boolean> {
  try {
    await s3(ctx).send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    if (missing(error)) return false;
    throw error;
  }
}

/** The server's bucket, created private if it does not exist yet. */
export async function ensureServerBucket(ctx: AwsContext): Promise<string> {
  const bucket = await serverBucketName(ctx);
  if (ensured.has(bucket) || (await bucketExists(ctx, bucket))) {
    ensured.add(bucket);
    return bucket;
  }
  const location = ctx.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: ctx.region as BucketLocationConstraint } };
  try {
    await s3(ctx).send(new CreateBucketCommand({ Bucket: bucket, ObjectOwnership: 'BucketOwnerEnforced', ...location }));
  } catch (error) {
    // Another replica made it a moment ago.
    if (awsErrorCode(error) !== 'BucketAlreadyOwnedByYou') throw error;
  }
  const all = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
  await s3(ctx).send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: all }));
  await s3(ctx).send(new PutBucketOwnershipControlsCommand({ Bucket: bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
  await s3(ctx).send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }));
  await s3(ctx).send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: toTagList({ [SERVER_BUCKET_TAG]: ctx.clusterName }) } }));
  ensured.add(bucket);
  return bucket;
}

export interface StoredObject {
  body: string;
  lastModified?: Date;
  etag?: string;
}

/** An object of the server's bucket; undefined when it (or the bucket) does not exist. */
export async function readObject(ctx: AwsContext, key: string): Promise<StoredObject | undefined> {
  try {
    const answer = await s3(ctx).send(new GetObjectCommand({ Bucket: await serverBucketName(ctx), Key: key }));
    return { body: (await answer.Body?.transformToString('utf8')) ?? '', ...(answer.LastModified ? { lastModified: answer.LastModified } : {}), ...(answer.ETag ? { etag: answer.ETag } : {}) };
  } catch (error) {
    if (missing(error)) return undefined;
    throw error;
  }
}

export async function writeObject(ctx: AwsContext, key: string, body: string, contentType: string): Promise<void> {
  await s3(ctx).send(new PutObjectCommand({ Bucket: await ensureServerBucket(ctx), Key: key, Body: body, ContentType: contentType }));
}

/** Deletes an object; one that is not there (nor its bucket, on a new cluster) is gone already. */
export async function deleteObject(ctx: AwsContext, key: string): Promise<void> {
  try {
    await s3(ctx).send(new DeleteObjectCommand({ Bucket: await serverBucketName(ctx), Key: key }));
  } catch (error) {
    if (!missing(error)) throw error;
  }
}

export async function objectTags(ctx: AwsContext, key: string): Promise<Record<string, string>> {
  return fromTagList((await s3(ctx).send(new GetObjectTaggingCommand({ Bucket: await serverBucketName(ctx), Key: key }))).TagSet);
}

export async function setObjectTags(ctx: AwsContext, key: string, tags: Record<string, string>): Promise<void> {
  await s3(ctx).send(new PutObjectTaggingCommand({ Bucket: await serverBucketName(ctx), Key: key, Tagging: { TagSet: toTagList(tags) } }));
}

/** The keys under a prefix of the server's bucket (none when the bucket does not exist yet). */
export async function* keysUnder(ctx: AwsContext, prefix: string): AsyncIterable<string> {
  const bucket = await serverBucketName(ctx);
  if (!ensured.has(bucket) && !(await bucketExists(ctx, bucket))) return;
  const pages = allPages(
    `ListObjectsV2(${prefix})`,
    (token) => s3(ctx).send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) })),
    (page) => page.NextContinuationToken,
  );
  for await (const page of pages) for (const object of page.Contents ?? []) if (object.Key) yield object.Key;
}

/** The URL of an object of the server's bucket, as CloudFormation takes it for TemplateURL. */
export async function objectUrl(ctx: AwsContext, key: string): Promise<string> {
  return `https://${await serverBucketName(ctx)}.s3.${ctx.region}.amazonaws.com/${key}`;
}

/**
 * A JSON document standing in for the tags of something that cannot carry ours, with the spec
 * settings AWS does not keep (where a stack's template came from). Undefined when there is none.
 */
export async function readDocument<T>(ctx: AwsContext, key: string): Promise<T | undefined> {
  const stored = await readObject(ctx, key);
  return stored ? (JSON.parse(stored.body) as T) : undefined;
}

export async function writeDocument(ctx: AwsContext, key: string, document: unknown): Promise<void> {
  await writeObject(ctx, key, JSON.stringify(document), 'application/json');
}
