// SQS calls more than one kind makes: finding queues by name or ARN, reading their tags, and the
// statements of a queue's policy that this server manages for SNS subscriptions (which must let their
// topic send to the queue), kept apart from the policy users write in the spec (policy-statements.ts).
import { createHash } from 'node:crypto';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ListQueueTagsCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AwsContext } from './context.js';
import { parseArn } from './arn.js';
import { isAwsNotFound } from './errors.js';
import { joinPolicy, managedSid, splitPolicy, withManaged, type SplitPolicy, type Statement } from './policy-statements.js';

export const sqs = (ctx: AwsContext): SQSClient => ctx.aws.client(SQSClient);

/** The URL of a queue given by name, URL or ARN; undefined when it does not exist. */
export async function queueUrlOf(ctx: AwsContext, ref: string): Promise<string | undefined> {
  if (/^https?:\/\//.test(ref)) return ref;
  const arn = parseArn(ref);
  try {
    const result = await sqs(ctx).send(new GetQueueUrlCommand(arn ? { QueueName: arn.resource, QueueOwnerAWSAccountId: arn.account } : { QueueName: ref }));
    return result.QueueUrl;
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}

export async function queueTags(ctx: AwsContext, url: string): Promise<Record<string, string> | undefined> {
  try {
    return (await sqs(ctx).send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags ?? {};
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}

/** A queue's tags, given its name, URL or ARN; undefined when it does not exist. */
export async function queueTagsOf(ctx: AwsContext, ref: string): Promise<Record<string, string> | undefined> {
  const url = await queueUrlOf(ctx, ref);
  return url ? queueTags(ctx, url) : undefined;
}

/** The topics the managed statements let send to the queue. */
export function topicsAllowed(split: SplitPolicy): string[] {
  return split.managed.map((s) => ((s.Condition as Record<string, Record<string, string>> | undefined)?.ArnEquals ?? {})['aws:SourceArn']).filter((arn): arn is string => !!arn).sort();
}

function topicStatement(queueArn: string, topicArn: string): Statement {
  return {
    Sid: managedSid(`Sns${createHash('sha256').update(topicArn).digest('hex').slice(0, 16)}`),
    Effect: 'Allow',
    Principal: { Service: 'sns.amazonaws.com' },
    Action: 'sqs:SendMessage',
    Resource: queueArn,
    Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
  };
}

async function rewritePolicy(ctx: AwsContext, queueArn: string, change: (split: SplitPolicy) => SplitPolicy): Promise<void> {
  const url = await queueUrlOf(ctx, queueArn);
  if (!url) return;
  try {
    const attributes = (await sqs(ctx).send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }))).Attributes ?? {};
    const before = attributes.Policy ?? '';
    const after = joinPolicy(change(splitPolicy(before)));
    if (after !== before) await sqs(ctx).send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: after } }));
  } catch (error) {
    // A queue deleted meanwhile needs no policy.
    if (!isAwsNotFound(error)) throw error;
  }
}

/** Lets an SNS topic send to the queue (what an SQS subscription needs to receive anything). */
export async function allowTopic(ctx: AwsContext, queueArn: string, topicArn: string): Promise<void> {
  const statement = topicStatement(queueArn, topicArn);
  await rewritePolicy(ctx, queueArn, (split) => withManaged(split, [statement.Sid as string], [statement]));
}

/** Takes back what allowTopic gave; the queue may be gone already. */
export async function disallowTopic(ctx: AwsContext, queueArn: string, topicArn: string): Promise<void> {
  const sid = topicStatement(queueArn, topicArn).Sid;
  await rewritePolicy(ctx, queueArn, (split) => withManaged(split, [sid as string], []));
}
