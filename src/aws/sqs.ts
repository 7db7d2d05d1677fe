// SQS calls more than one kind makes: finding queues by name or ARN, reading their tags, and the
// statements of a queue's policy that this server manages for SNS subscriptions (which must let their
// topic send to the queue). Those statements are kept apart from the policy users write in the spec.
import { createHash } from 'node:crypto';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ListQueueTagsCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { KindContext } from '../registry/kind.js';
import { parseArn } from './arn.js';
import { isAwsNotFound } from './errors.js';

export const sqs = (ctx: KindContext): SQSClient => ctx.aws.client(SQSClient);

type PolicyDocument = Record<string, unknown>;
type Statement = Record<string, unknown>;

/** Sid prefix of the statements this server writes; users' own statements never start with it. */
const MANAGED_SID_PREFIX = 'ServiceOperatorSns';

/** The URL of a queue given by name, URL or ARN; undefined when it does not exist. */
export async function queueUrlOf(ctx: KindContext, ref: string): Promise<string | undefined> {
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

export async function queueTags(ctx: KindContext, url: string): Promise<Record<string, string> | undefined> {
  try {
    return (await sqs(ctx).send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags ?? {};
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}

/** A queue's tags, given its ARN; undefined when it does not exist. */
export async function queueTagsByArn(ctx: KindContext, arn: string): Promise<Record<string, string> | undefined> {
  const url = await queueUrlOf(ctx, arn);
  return url ? queueTags(ctx, url) : undefined;
}

function statementsOf(policy: PolicyDocument | undefined): Statement[] {
  const statements = policy?.Statement;
  if (statements === undefined) return [];
  return (Array.isArray(statements) ? statements : [statements]) as Statement[];
}

const isManaged = (statement: Statement): boolean => typeof statement.Sid === 'string' && statement.Sid.startsWith(MANAGED_SID_PREFIX);

export interface SplitPolicy {
  /** The user's policy, without the managed statements; undefined when there is none. */
  user?: PolicyDocument;
  managed: Statement[];
}

/** Splits a queue's policy (AWS's JSON text) into the user's part and the statements this server manages. */
export function splitQueuePolicy(text: string | undefined): SplitPolicy {
  const policy = text ? (JSON.parse(text) as PolicyDocument) : undefined;
  const statements = statementsOf(policy);
  const managed = statements.filter(isManaged);
  if (!managed.length) return { ...(policy ? { user: policy } : {}), managed };
  const own = statements.filter((s) => !isManaged(s));
  return { ...(own.length ? { user: { ...policy, Statement: own } } : {}), managed };
}

/** The policy text to write for a user's policy plus managed statements ('' removes the policy). */
export function joinQueuePolicy(split: SplitPolicy): string {
  if (!split.managed.length) return split.user ? JSON.stringify(split.user) : '';
  return JSON.stringify({ Version: '2012-10-17', ...split.user, Statement: [...statementsOf(split.user), ...split.managed] });
}

/** The topics the managed statements let send to the queue. */
export function topicsAllowed(split: SplitPolicy): string[] {
  return split.managed.map((s) => ((s.Condition as Record<string, Record<string, string>> | undefined)?.ArnEquals ?? {})['aws:SourceArn']).filter((arn): arn is string => !!arn).sort();
}

function topicStatement(queueArn: string, topicArn: string): Statement {
  return {
    Sid: `${MANAGED_SID_PREFIX}${createHash('sha256').update(topicArn).digest('hex').slice(0, 16)}`,
    Effect: 'Allow',
    Principal: { Service: 'sns.amazonaws.com' },
    Action: 'sqs:SendMessage',
    Resource: queueArn,
    Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
  };
}

async function rewritePolicy(ctx: KindContext, queueArn: string, change: (split: SplitPolicy) => SplitPolicy): Promise<void> {
  const url = await queueUrlOf(ctx, queueArn);
  if (!url) return;
  try {
    const attributes = (await sqs(ctx).send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }))).Attributes ?? {};
    const before = attributes.Policy ?? '';
    const after = joinQueuePolicy(change(splitQueuePolicy(before)));
    if (after !== before) await sqs(ctx).send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: after } }));
  } catch (error) {
    // A queue deleted meanwhile needs no policy.
    if (!isAwsNotFound(error)) throw error;
  }
}

/** Lets an SNS topic send to the queue (what an SQS subscription needs to receive anything). */
export async function allowTopic(ctx: KindContext, queueArn: string, topicArn: string): Promise<void> {
  const statement = topicStatement(queueArn, topicArn);
  await rewritePolicy(ctx, queueArn, (split) => ({ ...split, managed: [...split.managed.filter((s) => s.Sid !== statement.Sid), statement] }));
}

/** Takes back what allowTopic gave; the queue may be gone already. */
export async function disallowTopic(ctx: KindContext, queueArn: string, topicArn: string): Promise<void> {
  const sid = topicStatement(queueArn, topicArn).Sid;
  await rewritePolicy(ctx, queueArn, (split) => ({ ...split, managed: split.managed.filter((s) => s.Sid !== sid) }));
}
