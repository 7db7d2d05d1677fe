// Reading a bucket: one call per setting (S3 has no describe-all), in parallel, into the canonical spec.
import {
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetBucketWebsiteCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { awsErrorCode } from '../../aws/errors.js';
import { splitPolicy } from '../../aws/policy-statements.js';
import { fromTagList } from '../../aws/tag-list.js';
import type { KindContext, Observed } from '../../registry/kind.js';
import { intendedTags } from './intent.js';
import { accessControlOf, corsFromAws, encryptionFromAws, lifecycleFromAws, WEBSITE_SID } from './settings.js';
import { canonicalSpec, type S3BucketSpec } from './spec.js';
import { bucketArn, bucketHost, regionOfLocation, websiteUrl } from './urls.js';

export const s3 = (ctx: KindContext): S3Client => ctx.aws.client(S3Client);

/** Runs a read whose "not configured" answer is one of `missing`; undefined then. */
async function optional<T>(read: () => Promise<T>, missing: string): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (awsErrorCode(error) === missing) return undefined;
    throw error;
  }
}

/**
 * A HEAD answer has no body, so the SDK cannot name its error ("UnknownError"); S3's status codes say
 * it: 503 is S3's throttling (SlowDown), 500 its internal error, 400 a request S3 refuses.
 */
const HEAD_ERRORS: Record<number, string> = { 400: 'InvalidRequest', 500: 'InternalError', 503: 'SlowDown' };

function named(error: unknown, status: number | undefined): unknown {
  const name = status === undefined ? undefined : HEAD_ERRORS[status];
  return name && error instanceof Error ? Object.assign(error, { name }) : error;
}

/**
 * Whether this account can see the bucket. 404: no such bucket; 403: another account's (bucket names are
 * global); 301: a bucket of this account in another region, which this server does not serve.
 */
async function visible(ctx: KindContext, name: string): Promise<boolean> {
  try {
    await s3(ctx).send(new HeadBucketCommand({ Bucket: name }));
    return true;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || status === 403 || status === 301) return false;
    throw named(error, status);
  }
}

/** A bucket's tags; undefined when this account cannot see the bucket (none, or another account's). */
export async function bucketTags(ctx: KindContext, name: string): Promise<Record<string, string> | undefined> {
  if (!(await visible(ctx, name))) return undefined;
  return fromTagList((await optional(() => s3(ctx).send(new GetBucketTaggingCommand({ Bucket: name })), 'NoSuchTagSet'))?.TagSet);
}

async function readSettings(ctx: KindContext, name: string) {
  const b = { Bucket: name };
  const client = s3(ctx);
  const [location, versioning, acl, website, logging, encryption, publicAccess, ownership, lifecycle, policy, cors, tagging] = await Promise.all([
    client.send(new GetBucketLocationCommand(b)),
    client.send(new GetBucketVersioningCommand(b)),
    client.send(new GetBucketAclCommand(b)),
    optional(() => client.send(new GetBucketWebsiteCommand(b)), 'NoSuchWebsiteConfiguration'),
    client.send(new GetBucketLoggingCommand(b)),
    optional(() => client.send(new GetBucketEncryptionCommand(b)), 'ServerSideEncryptionConfigurationNotFoundError'),
    optional(() => client.send(new GetPublicAccessBlockCommand(b)), 'NoSuchPublicAccessBlockConfiguration'),
    optional(() => client.send(new GetBucketOwnershipControlsCommand(b)), 'OwnershipControlsNotFoundError'),
    optional(() => client.send(new GetBucketLifecycleConfigurationCommand(b)), 'NoSuchLifecycleConfiguration'),
    optional(() => client.send(new GetBucketPolicyCommand(b)), 'NoSuchBucketPolicy'),
    optional(() => client.send(new GetBucketCorsCommand(b)), 'NoSuchCORSConfiguration'),
    optional(() => client.send(new GetBucketTaggingCommand(b)), 'NoSuchTagSet'),
  ]);
  return { location, versioning, acl, website, logging, encryption, publicAccess, ownership, lifecycle, policy, cors, tagging };
}

type Settings = Awaited<ReturnType<typeof readSettings>>;

function renderSpec(name: string, region: string, settings: Settings): S3BucketSpec {
  const policy = splitPolicy(settings.policy?.Policy);
  const pab = settings.publicAccess?.PublicAccessBlockConfiguration;
  const site = settings.website;
  const logs = settings.logging.LoggingEnabled;
  const rules = lifecycleFromAws(settings.lifecycle?.Rules);
  const cors = corsFromAws(settings.cors?.CORSRules);
  return {
    bucketName: name,
    region,
    versioning: settings.versioning.Status === 'Enabled',
    accessControl: accessControlOf(settings.acl.Grants),
    website: site
      ? { enabled: true, indexPage: site.IndexDocument?.Suffix, ...(site.ErrorDocument?.Key ? { errorPage: site.ErrorDocument.Key } : {}), publicRead: policy.managed.some((s) => s.Sid === WEBSITE_SID) }
      : { enabled: false },
    logging: logs ? { enabled: true, prefix: logs.TargetPrefix ?? '', ...(logs.TargetBucket !== name ? { targetBucket: logs.TargetBucket } : {}) } : { enabled: false },
    encryption: encryptionFromAws(settings.encryption?.ServerSideEncryptionConfiguration?.Rules?.[0]),
    publicAccessBlock: {
      blockPublicAcls: pab?.BlockPublicAcls ?? false,
      ignorePublicAcls: pab?.IgnorePublicAcls ?? false,
      blockPublicPolicy: pab?.BlockPublicPolicy ?? false,
      restrictPublicBuckets: pab?.RestrictPublicBuckets ?? false,
    },
    // Buckets from before ownership controls existed behave as ObjectWriter.
    ownership: (settings.ownership?.OwnershipControls?.Rules?.[0]?.ObjectOwnership ?? 'ObjectWriter'),
    ...(rules ? { lifecycleRules: rules } : {}),
    ...(cors ? { cors } : {}),
    ...(policy.user ? { policy: policy.user } : {}),
  };
}

/** The state of a bucket a create intends but has not made yet. */
export const NOT_CREATED = 'NOT_CREATED';

/** A bucket that is only intended: half made, with the intent's tags (intent.ts). */
function intended(ctx: KindContext, name: string, tags: Record<string, string>): Observed<S3BucketSpec> {
  return {
    ref: name,
    arn: bucketArn(name, ctx.region),
    tags,
    lifecycle: { state: NOT_CREATED, phase: 'Creating', message: 'the create of this bucket has not finished' },
    spec: canonicalSpec({ bucketName: name, region: ctx.region }),
    status: {},
    outputs: {},
  };
}

export async function findBucket(ctx: KindContext, name: string): Promise<Observed<S3BucketSpec> | undefined> {
  if (!(await visible(ctx, name))) {
    const tags = await intendedTags(ctx, name);
    return tags ? intended(ctx, name, tags) : undefined;
  }
  const settings = await readSettings(ctx, name);
  const region = regionOfLocation(settings.location.LocationConstraint);
  const spec = renderSpec(name, region, settings);
  const arn = bucketArn(name, region);
  const host = bucketHost(name, region);
  const website = websiteUrl(name, region);
  return {
    ref: name,
    arn,
    tags: settings.tagging ? fromTagList(settings.tagging.TagSet) : ((await intendedTags(ctx, name)) ?? {}),
    lifecycle: { state: 'ACTIVE', phase: 'Ready', message: 'bucket exists' },
    spec,
    status: { arn, bucketName: name, region, bucketURL: host, ...(spec.website.enabled ? { websiteURL: website } : {}) },
    outputs: { bucketName: name, bucketARN: arn, region, bucketURL: host, websiteURL: website },
  };
}
