// SNS calls that more than one kind makes (topics, and subscriptions that name topics).
import { ListTagsForResourceCommand, SNSClient } from '@aws-sdk/client-sns';
import type { AwsContext } from './context.js';
import { buildArn } from './arn.js';
import { isAwsNotFound } from './errors.js';
import { fromTagList } from './tag-list.js';

export const sns = (ctx: AwsContext): SNSClient => ctx.aws.client(SNSClient);

/** A topic's ARN from a ref that is either its ARN or its name (in this account and region). */
export async function topicArnOf(ctx: AwsContext, ref: string): Promise<string> {
  return ref.startsWith('arn:') ? ref : buildArn('sns', ctx.region, await ctx.accountId(), ref);
}

/** A topic's tags; undefined when the topic does not exist. */
export async function topicTags(ctx: AwsContext, arn: string): Promise<Record<string, string> | undefined> {
  try {
    return fromTagList((await sns(ctx).send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags);
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}
