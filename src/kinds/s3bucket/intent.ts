// The intent to make a bucket, recorded before CreateBucket. Not every S3 keeps the tags CreateBucket
// is given (moto does not), so a create stopped between CreateBucket and PutBucketTagging would leave
// an untagged bucket nobody could tell was ours, its name blocked for good. The tags the bucket will
// carry (pending ones: registry/half-made.ts) are first written on an SSM parameter named after the
// bucket (aws/parameters.ts); a bucket without tags, or no bucket yet, is read with its intent's tags,
// and the intent goes once the bucket carries its final tags.
import { createParameter, deleteParameter, parametersOfCluster, parameterTags } from '../../aws/parameters.js';
import type { KindContext, Listed } from '../../registry/kind.js';

const PREFIX = '/service-operator.aws/s3buckets/';
const DESCRIPTION = 'The tags an S3 bucket being created will carry (service-operator.aws); removed once it carries them.';

const prefixOf = (clusterName: string) => `${PREFIX}${clusterName}/`;
const nameOf = (ctx: KindContext, bucket: string) => `${prefixOf(ctx.clusterName)}${bucket}`;

export async function recordIntent(ctx: KindContext, bucket: string, tags: Record<string, string>): Promise<void> {
  // One left by an earlier attempt for this name, whoever's, was abandoned: the bucket does not exist.
  await deleteParameter(ctx, nameOf(ctx, bucket));
  await createParameter(ctx, nameOf(ctx, bucket), bucket, DESCRIPTION, tags);
}

/** The tags a create intends the bucket to carry; undefined when no create intends it. */
export async function intendedTags(ctx: KindContext, bucket: string): Promise<Record<string, string> | undefined> {
  return parameterTags(ctx, nameOf(ctx, bucket));
}

export async function forgetIntent(ctx: KindContext, bucket: string): Promise<void> {
  await deleteParameter(ctx, nameOf(ctx, bucket));
}

/** Every bucket a create of this cluster intends, with the tags it will carry. */
export async function* intendedBuckets(ctx: KindContext, clusterName: string): AsyncIterable<Listed> {
  for await (const intent of parametersOfCluster(ctx, clusterName, prefixOf(clusterName))) yield { ref: intent.name.slice(prefixOf(clusterName).length), tags: intent.tags };
}
