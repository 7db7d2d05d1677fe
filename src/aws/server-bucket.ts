// The S3 bucket the server keeps its own objects in, one per cluster, account and region: templates
// (CloudFormationTemplate) and, for AWS resources that cannot carry our tags (a stack's tags would be
// copied onto every resource it makes), JSON documents standing in for those tags. Private: Block
// Public Access on, ACLs disabled, encrypted; created the first time it is needed. It is not an
// S3Bucket object: it carries no ownership tags, so no kind lists it.
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetBucketTaggingCommand,
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
import { internalError } from '../api/errors.js';
import { isPlainObject } from '../api/types.js';
import { awsErrorCode } from './errors.js';
import { TAG_PREFIX } from './metadata-tags.js';
import { allPages } from './paginate.js';
import { fromTagList, toTagList } from './tag-list.js';

/** The one tag of the server's bucket: which cluster it serves. Not CLUSTER_TAG, so no kind lists it. */
export const SERVER_BUCKET_TAG = `${TAG_PREFIX}server-bucket-of`;

const s3 = (ctx: AwsContext): S3Client => ctx.aws.client(S3Client);

/** How the server's bucket names start; no S3Bucket object may have such a name (it would hold every namespace's templates). */
export const SERVER_BUCKET_PREFIX = 'aws-service-apiserver-';

/** `aws-service-apiserver-<account>-<region>-<hash of the cluster name>`: bucket names are global. */
export async function serverBucketName(ctx: AwsContext): Promise<string> {
  const cluster = createHash('sha256').update(ctx.clusterName).digest('hex').slice(0, 8);
  return `${SERVER_BUCKET_PREFIX}${await ctx.accountId()}-${ctx.region}-${cluster}`;
}

/** Buckets made or found by this process, so that the checks run once. */
const ensured = new Set<string>();

const missing = (error: unknown): boolean => ['NoSuchBucket', 'NotFound', 'NoSuchKey'].includes(awsErrorCode(error)) || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

/** Where the server's bucket stands: none yet; the server's; or its own create stopped before tagging it. */
type BucketState = 'missing' | 'ours' | 'untagged';

/**
 * The server's bucket carries its tag. Any other bucket of that name (made by hand, or by another
 * account: names are global) is refused rather than read or written, since it would hold every
 * namespace's templates and documents; one of this account without tags and empty is the server's
 * own create cut short before its tagging, and is finished.
 */
async function bucketState(ctx: AwsContext, bucket: string): Promise<BucketState> {
  const notOurs = (why: string) =>
    internalError(`the S3 bucket ${bucket}, where the server keeps templates and stack documents, exists but ${why}; the server does not use a bucket it did not make: remove it, or tag it ${SERVER_BUCKET_TAG}=${ctx.clusterName} if it is this server's`);
  try {
    await s3(ctx).send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (missing(error)) return 'missing';
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) throw notOurs('belongs to another AWS account');
    throw error;
  }
  let tags: Record<string, string> | undefined;
  try {
    tags = fromTagList((await s3(ctx).send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet);
  } catch (error) {
    if (awsErrorCode(error) !== 'NoSuchTagSet') throw error;
  }
  if (tags?.[SERVER_BUCKET_TAG] === ctx.clusterName) return 'ours';
  const empty = !(await s3(ctx).send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }))).KeyCount;
  if (!tags && empty) return 'untagged';
  throw notOurs(`is not tagged ${SERVER_BUCKET_TAG}=${ctx.clusterName}`);
}

/** Private (Block Public Access, ACLs disabled, no policy, encrypted), then tagged as the server's: the tag comes last. */
async function makePrivate(ctx: AwsContext, bucket: string): Promise<void> {
  const all = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
  await s3(ctx).send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: all }));
  await s3(ctx).send(new PutBucketOwnershipControlsCommand({ Bucket: bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
  await s3(ctx).send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
  await s3(ctx).send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }));
  await s3(ctx).send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: toTagList({ [SERVER_BUCKET_TAG]: ctx.clusterName }) } }));
}

/** The server's bucket when it exists (checked once per process to be the server's), else undefined. */
async function existingServerBucket(ctx: AwsContext): Promise<string | undefined> {
  const bucket = await serverBucketName(ctx);
  if (ensured.has(bucket)) return bucket;
  const state = await bucketState(ctx, bucket);
  if (state === 'missing') return undefined;
  if (state === 'untagged') await makePrivate(ctx, bucket);
  ensured.add(bucket);
  return bucket;
}

/** The server's bucket, created private if it does not exist yet. */
export async function ensureServerBucket(ctx: AwsContext): Promise<string> {
  const existing = await existingServerBucket(ctx);
  if (existing) return existing;
  const bucket = await serverBucketName(ctx);
  const location = ctx.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: ctx.region as BucketLocationConstraint } };
  try {
    await s3(ctx).send(new CreateBucketCommand({ Bucket: bucket, ObjectOwnership: 'BucketOwnerEnforced', ...location }));
  } catch (error) {
    // Another replica made it a moment ago.
    if (awsErrorCode(error) !== 'BucketAlreadyOwnedByYou') throw error;
  }
  await makePrivate(ctx, bucket);
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
  const bucket = await existingServerBucket(ctx);
  if (!bucket) return undefined;
  try {
    const answer = await s3(ctx).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { body: (await answer.Body?.transformToString('utf8')) ?? '', ...(answer.LastModified ? { lastModified: answer.LastModified } : {}), ...(answer.ETag ? { etag: answer.ETag } : {}) };
  } catch (error) {
    if (missing(error)) return undefined;
    throw error;
  }
}

export async function writeObject(ctx: AwsContext, key: string, body: string, contentType: string): Promise<void> {
  await s3(ctx).send(new PutObjectCommand({ Bucket: await ensureServerBucket(ctx), Key: key, Body: body, ContentType: contentType }));
}

/** Removes an object of the server's bucket (nothing to do when the bucket does not exist). */
export async function deleteObject(ctx: AwsContext, key: string): Promise<void> {
  const bucket = await existingServerBucket(ctx);
  if (bucket) await s3(ctx).send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

export async function objectTags(ctx: AwsContext, key: string): Promise<Record<string, string>> {
  return fromTagList((await s3(ctx).send(new GetObjectTaggingCommand({ Bucket: await ensureServerBucket(ctx), Key: key }))).TagSet);
}

export async function setObjectTags(ctx: AwsContext, key: string, tags: Record<string, string>): Promise<void> {
  await s3(ctx).send(new PutObjectTaggingCommand({ Bucket: await ensureServerBucket(ctx), Key: key, Tagging: { TagSet: toTagList(tags) } }));
}

/** The keys under a prefix of the server's bucket (none when the bucket does not exist yet). */
export async function* keysUnder(ctx: AwsContext, prefix: string): AsyncIterable<string> {
  const bucket = await existingServerBucket(ctx);
  if (!bucket) return;
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
 * settings AWS does not keep (where a stack's template came from). Undefined when there is none, or
 * when what is stored is not a document with tags (edited by hand): the resource is then nobody's
 * object, which stops no read of it or of any other.
 */
export async function readDocument<T extends { tags: Record<string, string> }>(ctx: AwsContext, key: string): Promise<T | undefined> {
  const stored = await readObject(ctx, key);
  if (!stored) return undefined;
  try {
    const document = JSON.parse(stored.body) as unknown;
    return isDocument(document) ? (document as T) : undefined;
  } catch {
    return undefined;
  }
}

function isDocument(value: unknown): value is { tags: Record<string, string> } {
  const tags = isPlainObject(value) ? value.tags : undefined;
  return isPlainObject(tags) && Object.values(tags).every((tag) => typeof tag === 'string');
}

export async function writeDocument(ctx: AwsContext, key: string, document: unknown): Promise<void> {
  await writeObject(ctx, key, JSON.stringify(document), 'application/json');
}
