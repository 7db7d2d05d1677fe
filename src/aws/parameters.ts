// SSM Parameter Store parameters that carry what an AWS resource cannot: the tags of an SNS
// subscription (subscriptions cannot be tagged), the intent of an S3 bucket create before the bucket
// holds its tags. A parameter's tags are what a taggable resource would carry (ownership, encoded
// metadata, the user's spec.tags); everything stays in the AWS account.
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  GetParameterCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { AwsContext } from './context.js';
import { parseArn } from './arn.js';
import { awsErrorCode, isAwsNotFound } from './errors.js';
import type { TagChange } from './metadata-tags.js';
import { fromTagList, toTagList } from './tag-list.js';
import { resourcesOfCluster } from './tagging.js';

const ssm = (ctx: AwsContext): SSMClient => ctx.aws.client(SSMClient);

/** The parameter's value; undefined when there is no parameter. */
export async function readParameter(ctx: AwsContext, name: string): Promise<string | undefined> {
  try {
    return (await ssm(ctx).send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * The parameter's tags; undefined when there is no parameter (SSM says InvalidResourceId), as when it
 * is deleted between a read of its value and this one.
 */
export async function parameterTags(ctx: AwsContext, name: string): Promise<Record<string, string> | undefined> {
  try {
    return fromTagList((await ssm(ctx).send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }))).TagList);
  } catch (error) {
    if (awsErrorCode(error) === 'InvalidResourceId' || isAwsNotFound(error)) return undefined;
    throw error;
  }
}

/** A new parameter with its tags (SSM takes tags only when a parameter is created, not overwritten). */
export async function createParameter(ctx: AwsContext, name: string, value: string, description: string, tags: Record<string, string>): Promise<void> {
  const tagged = Object.keys(tags).length ? { Tags: toTagList(tags) } : {};
  await ssm(ctx).send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Description: description, ...tagged }));
}

export async function overwriteParameter(ctx: AwsContext, name: string, value: string): Promise<void> {
  await ssm(ctx).send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
}

export async function deleteParameter(ctx: AwsContext, name: string): Promise<void> {
  try {
    await ssm(ctx).send(new DeleteParameterCommand({ Name: name }));
  } catch (error) {
    if (!isAwsNotFound(error)) throw error;
  }
}

export async function tagParameter(ctx: AwsContext, name: string, change: TagChange): Promise<void> {
  if (Object.keys(change.set).length) await ssm(ctx).send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: name, Tags: toTagList(change.set) }));
  if (change.remove.length) await ssm(ctx).send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: name, TagKeys: change.remove }));
}

/** The parameter name in a parameter ARN (ARNs drop the name's leading slash), if it starts with `prefix`. */
export function parameterNameOfArn(arn: string, prefix: string): string | undefined {
  const resource = parseArn(arn)?.resource;
  const name = resource?.startsWith('parameter/') ? `/${resource.slice('parameter/'.length)}` : undefined;
  return name?.startsWith(prefix) ? name : undefined;
}

/** The parameters under `prefix` tagged as this cluster's, with their tags (the tagging API, 100 a call). */
export async function* parametersOfCluster(ctx: AwsContext, clusterName: string, prefix: string): AsyncIterable<{ name: string; tags: Record<string, string> }> {
  for await (const resource of resourcesOfCluster(ctx, 'ssm:parameter', clusterName)) {
    const name = parameterNameOfArn(resource.arn, prefix);
    if (name) yield { name, tags: resource.tags };
  }
}
