// The plumbing of change events: an SQS queue the server owns, with a policy that lets EventBridge
// send to it, and a rule on the default event bus that sends it CloudTrail's "AWS API Call" events of
// the services the kinds use; then a long poll of that queue. A message is deleted only after the
// changes it reports were handled, so a failure meanwhile redelivers it (after the visibility timeout).
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand, type Message } from '@aws-sdk/client-sqs';
import type { AwsContext } from '../context.js';
import { queueUrlOf, sqs } from '../sqs.js';
import { CLOUDTRAIL_DETAIL_TYPE, eventBridgeSource, parseChangeEvent, type ChangeEvent } from './cloudtrail.js';

/** ReceiveMessage's longest wait: an idle queue costs 180 calls an hour. */
export const LONG_POLL_SECONDS = 20;
/**
 * One attempt of a long poll may take the whole poll plus what any call may take: cut at the usual
 * per-attempt timeout (shorter than the poll), SQS would still hand the messages that arrive meanwhile
 * to the dropped connection, hidden from the next poll for the visibility timeout.
 */
const RECEIVE_ATTEMPT_TIMEOUT_MS = (LONG_POLL_SECONDS + 10) * 1000;
/** How long a received message stays hidden before it is delivered again if not deleted. */
const VISIBILITY_TIMEOUT_SECONDS = 60;
/** Events older than this are of no use once the resync has run: AWS drops them after it. */
const RETENTION_SECONDS = 4 * 3600;

export interface ChangeQueue {
  url: string;
  arn: string;
}

/** The EventBridge pattern of the rule: CloudTrail's API call events of these services. */
export function eventPattern(services: readonly string[]): string {
  return JSON.stringify({ 'detail-type': [CLOUDTRAIL_DETAIL_TYPE], source: [...new Set(services)].sort().map(eventBridgeSource) });
}

/** Lets this one rule (and nothing else) send messages to the queue. */
function queuePolicy(queueArn: string, ruleArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EventBridgeChangeEvents',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      },
    ],
  });
}

async function queueArnOf(ctx: AwsContext, url: string): Promise<string> {
  const attributes = await sqs(ctx).send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return attributes.Attributes?.QueueArn as string;
}

/**
 * The queue, set up (created if missing, its policy and the rule brought up to date: each call is
 * idempotent) or, without `setup`, only found: then it must exist, set up as docs/change-events.md says.
 */
export async function ensureChangeQueue(ctx: AwsContext, name: string, services: readonly string[], setup: boolean): Promise<ChangeQueue> {
  if (!setup) {
    const url = await queueUrlOf(ctx, name);
    if (!url) throw new Error(`the change-event queue ${name} does not exist (with --change-events-setup false it must be set up beforehand)`);
    return { url, arn: await queueArnOf(ctx, url) };
  }
  const created = await sqs(ctx).send(
    new CreateQueueCommand({ QueueName: name, Attributes: { MessageRetentionPeriod: String(RETENTION_SECONDS), VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS), ReceiveMessageWaitTimeSeconds: String(LONG_POLL_SECONDS) } }),
  );
  const url = created.QueueUrl as string;
  const arn = await queueArnOf(ctx, url);
  const events = ctx.aws.client(EventBridgeClient);
  const rule = await events.send(new PutRuleCommand({ Name: name, EventPattern: eventPattern(services), State: 'ENABLED', Description: 'AWS API calls that change resources aws-service-apiserver serves' }));
  await sqs(ctx).send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: queuePolicy(arn, rule.RuleArn as string) } }));
  await events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'aws-service-apiserver', Arn: arn }] }));
  return { url, arn };
}

export interface ReceivedChanges {
  events: ChangeEvent[];
  /** Messages that were not change events (or unreadable): counted, and deleted with the rest. */
  ignored: number;
  /** Deletes the batch's messages: call once its changes are handled. */
  done(): Promise<void>;
}

/** One long poll: up to 10 messages, or none after LONG_POLL_SECONDS. */
export async function receiveChanges(ctx: AwsContext, queueUrl: string, signal: AbortSignal): Promise<ReceivedChanges> {
  const result = await sqs(ctx).send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: LONG_POLL_SECONDS }), { abortSignal: signal, requestTimeout: RECEIVE_ATTEMPT_TIMEOUT_MS });
  const messages: Message[] = result.Messages ?? [];
  const events = messages.map((m) => parseChangeEvent(m.Body ?? '')).filter((e): e is ChangeEvent => e !== undefined);
  return {
    events,
    ignored: messages.length - events.length,
    async done() {
      if (!messages.length) return;
      await sqs(ctx).send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })) }));
    },
  };
}
