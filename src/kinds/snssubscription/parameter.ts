// Where an SNS subscription's Kubernetes metadata lives. SNS subscriptions cannot be tagged, so each
// SNSSubscription object has an SSM Parameter Store parameter of its own: its name is derived from the
// object's identity, its value is the subscription ARN, and its tags are what a taggable resource would
// carry (ownership, encoded metadata, the user's spec.tags). Everything stays in the AWS account.
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  GetParameterCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { parseArn } from '../../aws/arn.js';
import { isAwsNotFound } from '../../aws/errors.js';
import { fromTagList, toTagList } from '../../aws/tag-list.js';
import type { KindContext, ObjectIdentity, TagChange } from '../../registry/kind.js';

const ssm = (ctx: KindContext): SSMClient => ctx.aws.client(SSMClient);

export const PARAMETER_PREFIX = '/service-operator.aws/snssubscriptions/';

/** `/service-operator.aws/snssubscriptions/<cluster>/<namespace>/<name>`: one per object, never shared. */
export function parameterName(identity: ObjectIdentity): string {
  return `${PARAMETER_PREFIX}${identity.clusterName}/${identity.namespace}/${identity.name}`;
}

/** The parameter name in a parameter ARN (ARNs drop the name's leading slash). */
export function parameterNameOfArn(arn: string): string | undefined {
  const resource = parseArn(arn)?.resource;
  const name = resource?.startsWith('parameter/') ? `/${resource.slice('parameter/'.length)}` : undefined;
  return name?.startsWith(PARAMETER_PREFIX) ? name : undefined;
}

/** The subscription ARN the parameter holds; undefined when there is no parameter. */
export async function readParameter(ctx: KindContext, name: string): Promise<string | undefined> {
  try {
    return (await ssm(ctx).send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}

export async function parameterTags(ctx: KindContext, name: string): Promise<Record<string, string>> {
  return fromTagList((await ssm(ctx).send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }))).TagList);
}

export async function writeParameter(ctx: KindContext, name: string, subscriptionArn: string, tags: Record<string, string>): Promise<void> {
  await ssm(ctx).send(
    new PutParameterCommand({
      Name: name,
      Value: subscriptionArn,
      Type: 'String',
      Description: 'Kubernetes metadata of an SNSSubscription object (service-operator.aws); SNS subscriptions cannot be tagged.',
      Tags: toTagList(tags),
    }),
  );
}

export async function deleteParameter(ctx: KindContext, name: string): Promise<void> {
  try {
    await ssm(ctx).send(new DeleteParameterCommand({ Name: name }));
  } catch (error) {
    if (!isAwsNotFound(error)) throw error;
  }
}

export async function tagParameter(ctx: KindContext, name: string, change: TagChange): Promise<void> {
  if (Object.keys(change.set).length) await ssm(ctx).send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: name, Tags: toTagList(change.set) }));
  if (change.remove.length) await ssm(ctx).send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: name, TagKeys: change.remove }));
}
