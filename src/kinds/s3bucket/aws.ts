// S3 buckets through @aws-sdk/client-s3: read.ts renders a bucket, write.ts changes its settings,
// intent.ts records a create before the bucket exists. Here: creating (tags in the CreateBucket call,
// rolled back if a setting fails), tagging, deleting (a bucket that holds objects is never emptied),
// and listing this cluster's buckets.
import { CreateBucketCommand, DeleteBucketCommand, DeleteBucketTaggingCommand, PutBucketTaggingCommand, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { fieldError } from '../../api/errors.js';
import { parseArn } from '../../aws/arn.js';
import { PENDING_TAG } from '../../aws/metadata-tags.js';
import { awsErrorCode, isAwsNotFound } from '../../aws/errors.js';
import { defaultPhysicalName, type NamingRules } from '../../aws/naming.js';
import { toTagList } from '../../aws/tag-list.js';
import { resourcesOfCluster } from '../../aws/tagging.js';
import { ResourceConflict, SpecInvalid, type DeleteOutcome, type KindAws, type KindContext, type LinkedResource, type Listed, type ObjectIdentity, type Observed, type SpecChange, type TagChange } from '../../registry/kind.js';
import { forgetIntent, intendedBuckets, recordIntent } from './intent.js';
import { bucketTags, findBucket, NOT_CREATED, s3 } from './read.js';
import type { S3BucketSpec } from './spec.js';
import { writeSettings } from './write.js';

function nameConflict(error: unknown, name: string): Error {
  const code = awsErrorCode(error);
  if (code === 'BucketAlreadyExists') {
    return new ResourceConflict(`the bucket name "${name}" is taken by another AWS account (S3 bucket names are global across all accounts); choose another spec.bucketName`);
  }
  if (code === 'BucketAlreadyOwnedByYou') return new ResourceConflict(`this AWS account already has a bucket "${name}" (in another region?); choose another spec.bucketName`);
  return error as Error;
}

/** Buckets are made in the server's region only. */
async function precheck(ctx: KindContext, spec: S3BucketSpec): Promise<void> {
  if (spec.region !== undefined && spec.region !== ctx.region) throw new SpecInvalid([fieldError('FieldValueNotSupported', 'spec.region', `this server manages buckets in ${ctx.region}`, spec.region)]);
}

/**
 * Intent first (intent.ts), then the bucket with its tags and settings. A failure after the bucket
 * exists removes it (it is new and empty); a failed removal leaves it half made, found again by its
 * tags or its intent.
 */
async function create(ctx: KindContext, name: string, spec: S3BucketSpec, tags: Record<string, string>): Promise<string> {
  await recordIntent(ctx, name, tags);
  await makeBucket(ctx, name, spec, tags);
  return name;
}

async function makeBucket(ctx: KindContext, name: string, spec: S3BucketSpec, tags: Record<string, string>): Promise<void> {
  // us-east-1 is the one region that takes no location constraint.
  const location = ctx.region === 'us-east-1' ? {} : { LocationConstraint: ctx.region as BucketLocationConstraint };
  try {
    await s3(ctx).send(new CreateBucketCommand({ Bucket: name, ObjectOwnership: spec.ownership, CreateBucketConfiguration: { ...location, Tags: toTagList(tags) } }));
  } catch (error) {
    // No bucket of ours: whoever has the name, the intent must not make it look like ours.
    await forgetIntent(ctx, name).catch(() => undefined);
    throw nameConflict(error, name);
  }
  try {
    // Not every S3 (or S3 double) takes tags in CreateBucket yet; setting them again is harmless.
    await s3(ctx).send(new PutBucketTaggingCommand({ Bucket: name, Tagging: { TagSet: toTagList(tags) } }));
    await writeSettings(ctx, name, ctx.region, spec);
  } catch (error) {
    // The bucket is new and empty: remove it rather than leave a half-configured one behind.
    await discard(ctx, name).catch(() => undefined);
    throw error;
  }
}

/** Removes a bucket whose create did not finish, and its intent; one holding objects stays (BucketNotEmpty). */
async function discard(ctx: KindContext, name: string): Promise<void> {
  try {
    await s3(ctx).send(new DeleteBucketCommand({ Bucket: name }));
  } catch (error) {
    if (!isAwsNotFound(error)) throw error;
  }
  await forgetIntent(ctx, name);
}

async function update(ctx: KindContext, observed: Observed<S3BucketSpec>, change: SpecChange<S3BucketSpec>): Promise<void> {
  // A create stopped after recording its intent, before the bucket: finishing it is making it.
  if (observed.lifecycle.state === NOT_CREATED) return makeBucket(ctx, observed.ref, change.desired, observed.tags);
  await writeSettings(ctx, observed.ref, change.current.region as string, change.desired, change);
}

/**
 * PutBucketTagging replaces the whole set. Tags starting with "aws:" are AWS's own and not ours to
 * write. When a create completes (its pending tag goes), the intent goes first: should the tags then
 * fail, the bucket still carries the pending ones.
 */
async function setTags(ctx: KindContext, observed: Observed<S3BucketSpec>, change: TagChange): Promise<void> {
  if (change.remove.includes(PENDING_TAG)) await forgetIntent(ctx, observed.ref);
  const all = { ...observed.tags, ...change.set };
  for (const key of [...change.remove, ...Object.keys(all).filter((k) => k.startsWith('aws:'))]) delete all[key];
  if (Object.keys(all).length) await s3(ctx).send(new PutBucketTaggingCommand({ Bucket: observed.ref, Tagging: { TagSet: toTagList(all) } }));
  else await s3(ctx).send(new DeleteBucketTaggingCommand({ Bucket: observed.ref }));
}

async function remove(ctx: KindContext, observed: Observed<S3BucketSpec>): Promise<DeleteOutcome> {
  try {
    await s3(ctx).send(new DeleteBucketCommand({ Bucket: observed.ref }));
  } catch (error) {
    if (isAwsNotFound(error)) return { state: 'deleted' };
    if (awsErrorCode(error) !== 'BucketNotEmpty') throw error;
    throw new ResourceConflict(
      'the bucket is not empty, and this server never deletes the objects in a bucket; empty it (every object version too) and delete again, or annotate the object with service-operator.aws/deletion-policy: retain to keep the bucket',
    );
  }
  return { state: 'deleted' };
}

/** This cluster's buckets, and the ones its creates intend (half made, for the resync to finish or remove). */
async function* enumerate(ctx: KindContext, clusterName: string): AsyncIterable<Listed> {
  for await (const resource of resourcesOfCluster(ctx, 's3', clusterName)) yield { ref: parseArn(resource.arn)?.resource ?? resource.arn, tags: resource.tags };
  yield* intendedBuckets(ctx, clusterName);
}

/** Lowercase letters, digits and "-" only: dots in bucket names break TLS for virtual-hosted requests. */
const sanitize = (text: string): string => text.toLowerCase().replace(/[^a-z0-9-]/g, '-');

/** Logs delivered to another bucket go into that bucket: it must be this namespace's, or unmanaged. */
function linked(spec: S3BucketSpec): LinkedResource[] {
  const target = spec.logging.targetBucket;
  return target ? [{ use: 'target', field: 'spec.logging.targetBucket', kind: 'S3Bucket', name: target, tags: (ctx) => bucketTags(ctx, target) }] : [];
}

const NAMING: NamingRules = { separator: '-', maxLength: 63, alwaysHash: true, sanitize };

export const s3BucketAws: KindAws<S3BucketSpec> = {
  // Bucket names are global across AWS: the default always ends in a hash of the object's identity.
  physicalName: (identity: ObjectIdentity, spec?: S3BucketSpec) => spec?.bucketName ?? defaultPhysicalName(identity, NAMING),
  explicitName: { field: 'bucketName', rules: NAMING },
  linked,
  precheck,
  find: findBucket,
  create,
  update,
  setTags,
  delete: remove,
  discard: (ctx, observed) => discard(ctx, observed.ref),
  enumerate,
};
