// SQS queues through @aws-sdk/client-sqs: attributes into the canonical spec, created with their tags
// in the same call, changed with one SetQueueAttributes call carrying only what differs. With
// usedeadletterQueue the queue has a dead-letter queue of its own (a part of the object, tagged so),
// made and deleted with it.
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, TagQueueCommand, UntagQueueCommand } from '@aws-sdk/client-sqs';
import { parseArn } from '../../aws/arn.js';
import { isAwsNotFound } from '../../aws/errors.js';
import { PART_TAG, partTags, readIdentity, readOwner, sameOwner, type OwnerIdentity } from '../../aws/metadata-tags.js';
import { defaultMessagingName, MESSAGING_NAMING, MESSAGING_SUFFIXES } from '../../aws/naming.js';
import { joinPolicy, splitPolicy, type SplitPolicy } from '../../aws/policy-statements.js';
import { queueTags, queueTagsOf, queueUrlOf, sqs, topicsAllowed } from '../../aws/sqs.js';
import { resourcesOfCluster } from '../../aws/tagging.js';
import type { DeleteOutcome, KindAws, KindContext, LinkedResource, Listed, ObjectIdentity, Observed, SpecChange, TagChange } from '../../registry/kind.js';
import { siblingName } from '../../registry/references.js';
import type { DeadLetterQueue, Encryption, SQSQueueSpec } from './spec.js';

/** The part role of a dead-letter queue made for usedeadletterQueue (it carries its queue's identity). */
const OWN_DLQ_ROLE = 'dead-letter-queue';
/** The longest retention SQS allows: a dead-letter queue should keep what it catches. */
const OWN_DLQ_RETENTION = '1209600';
const MAX_NAME = 80;

type Attributes = Record<string, string>;

/** `<queue>-dlq`, or `<queue>-dlq.fifo` for FIFO queues, within SQS's 80 characters. */
export function ownDeadLetterQueueName(queueName: string): string {
  const fifo = queueName.endsWith('.fifo');
  const base = fifo ? queueName.slice(0, -'.fifo'.length) : queueName;
  const suffix = `-dlq${fifo ? '.fifo' : ''}`;
  return `${base.slice(0, MAX_NAME - suffix.length)}${suffix}`;
}

interface DeadLetterTarget {
  arn: string;
  url?: string;
  name: string;
  own: boolean;
  /** The SQSQueue object of the referrer's namespace that owns it, if any. */
  sibling?: string;
  maxReceiveCount: number;
}

// ------------------------------------------------------------------ reading

/** A dead-letter queue is an object's own when it is tagged as that object's part. */
function isOwnDeadLetterQueue(targetTags: Record<string, string> | undefined, owner: OwnerIdentity | undefined): boolean {
  return targetTags?.[PART_TAG] === OWN_DLQ_ROLE && owner !== undefined && sameOwner(readOwner(targetTags), owner);
}

async function deadLetterTarget(ctx: KindContext, redrive: string | undefined, tags: Record<string, string>): Promise<DeadLetterTarget | undefined> {
  if (!redrive) return undefined;
  const policy = JSON.parse(redrive) as { deadLetterTargetArn: string; maxReceiveCount: number | string };
  const arn = policy.deadLetterTargetArn;
  const targetTags = (await queueTagsOf(ctx, arn)) ?? {};
  const owner = readIdentity(tags);
  const sibling = owner ? siblingName(targetTags, { clusterName: owner.cluster, namespace: owner.namespace }) : undefined;
  return {
    arn,
    url: await queueUrlOf(ctx, arn),
    name: parseArn(arn)?.resource ?? arn,
    own: isOwnDeadLetterQueue(targetTags, owner),
    ...(sibling ? { sibling } : {}),
    maxReceiveCount: Number(policy.maxReceiveCount),
  };
}

function renderEncryption(attributes: Attributes): Encryption {
  if (attributes.KmsMasterKeyId) {
    return { type: 'KMS', kmsKeyId: attributes.KmsMasterKeyId, kmsDataKeyReusePeriodSeconds: Number(attributes.KmsDataKeyReusePeriodSeconds ?? 300) };
  }
  return { type: attributes.SqsManagedSseEnabled === 'true' ? 'SQS' : 'None' };
}

function renderDeadLetterQueue(target: DeadLetterTarget | undefined): DeadLetterQueue | undefined {
  if (!target) return undefined;
  if (target.own) return { maxReceiveCount: target.maxReceiveCount };
  return { ...(target.sibling ? { name: target.sibling } : {}), arn: target.arn, maxReceiveCount: target.maxReceiveCount };
}

function renderSpec(name: string, attributes: Attributes, target: DeadLetterTarget | undefined, policy: SplitPolicy): SQSQueueSpec {
  const fifo = attributes.FifoQueue === 'true';
  const dlq = renderDeadLetterQueue(target);
  return {
    queueName: name,
    fifoQueue: fifo,
    ...(fifo
      ? {
          contentBasedDeduplication: attributes.ContentBasedDeduplication === 'true',
          deduplicationScope: (attributes.DeduplicationScope ?? 'queue') as SQSQueueSpec['deduplicationScope'],
          fifoThroughputLimit: (attributes.FifoThroughputLimit ?? 'perQueue') as SQSQueueSpec['fifoThroughputLimit'],
        }
      : {}),
    delaySeconds: Number(attributes.DelaySeconds),
    maximumMessageSize: Number(attributes.MaximumMessageSize),
    messageRetentionPeriod: Number(attributes.MessageRetentionPeriod),
    receiveMessageWaitTimeSeconds: Number(attributes.ReceiveMessageWaitTimeSeconds),
    visibilityTimeout: Number(attributes.VisibilityTimeout),
    usedeadletterQueue: target?.own ?? false,
    ...(dlq ? { deadLetterQueue: dlq } : {}),
    encryption: renderEncryption(attributes),
    ...(policy.user ? { policy: policy.user } : {}),
  };
}

async function attributesOf(ctx: KindContext, url: string): Promise<Attributes | undefined> {
  try {
    return (await sqs(ctx).send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {};
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}

function outputsOf(url: string, arn: string, name: string, target: DeadLetterTarget | undefined): Record<string, string> {
  return {
    queueURL: url,
    queueARN: arn,
    queueName: name,
    deadLetterQueueURL: target?.url ?? '',
    deadLetterQueueARN: target?.arn ?? '',
    deadLetterQueueName: target?.name ?? '',
  };
}

async function find(ctx: KindContext, ref: string): Promise<Observed<SQSQueueSpec> | undefined> {
  const url = await queueUrlOf(ctx, ref);
  const attributes = url && (await attributesOf(ctx, url));
  const tags = url && attributes && (await queueTags(ctx, url));
  if (!url || !attributes || !tags) return undefined;
  const arn = attributes.QueueArn;
  const name = parseArn(arn)?.resource ?? ref;
  const target = await deadLetterTarget(ctx, attributes.RedrivePolicy, tags);
  const policy = splitPolicy(attributes.Policy);
  const outputs = outputsOf(url, arn, name, target);
  const topics = topicsAllowed(policy);
  const created = Number(attributes.CreatedTimestamp);
  return {
    ref: url,
    arn,
    tags,
    lifecycle: { state: 'ACTIVE', phase: 'Ready', message: 'queue exists' },
    spec: renderSpec(name, attributes, target, policy),
    status: { arn, ...Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== '')), ...(topics.length ? { topicsAllowed: topics } : {}) },
    outputs,
    ...(created ? { createdAt: new Date(created * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
  };
}

// ------------------------------------------------------------------ writing

function encryptionAttributes(encryption: Encryption): Attributes {
  if (encryption.type === 'KMS') {
    return { SqsManagedSseEnabled: 'false', KmsMasterKeyId: encryption.kmsKeyId as string, KmsDataKeyReusePeriodSeconds: String(encryption.kmsDataKeyReusePeriodSeconds) };
  }
  return { SqsManagedSseEnabled: String(encryption.type === 'SQS') };
}

function redrivePolicy(deadLetterArn: string, spec: SQSQueueSpec): string {
  return JSON.stringify({ deadLetterTargetArn: deadLetterArn, maxReceiveCount: spec.deadLetterQueue?.maxReceiveCount });
}

/** Every attribute a spec sets, given where its dead-letter queue is and the full policy text. */
function attributesFor(spec: SQSQueueSpec, deadLetterArn: string | undefined, policy: string): Attributes {
  return {
    DelaySeconds: String(spec.delaySeconds),
    MaximumMessageSize: String(spec.maximumMessageSize),
    MessageRetentionPeriod: String(spec.messageRetentionPeriod),
    ReceiveMessageWaitTimeSeconds: String(spec.receiveMessageWaitTimeSeconds),
    VisibilityTimeout: String(spec.visibilityTimeout),
    ...(spec.fifoQueue
      ? {
          FifoQueue: 'true',
          ContentBasedDeduplication: String(spec.contentBasedDeduplication),
          DeduplicationScope: spec.deduplicationScope as string,
          FifoThroughputLimit: spec.fifoThroughputLimit as string,
        }
      : {}),
    ...encryptionAttributes(spec.encryption),
    ...(deadLetterArn ? { RedrivePolicy: redrivePolicy(deadLetterArn, spec) } : {}),
    ...(policy ? { Policy: policy } : {}),
  };
}

async function queueArnOf(ctx: KindContext, url: string): Promise<string> {
  const attributes = await sqs(ctx).send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return attributes.Attributes?.QueueArn as string;
}

/**
 * Makes (or finds, CreateQueue being idempotent) the dead-letter queue of usedeadletterQueue, tagged as
 * the queue's part. The store has checked nobody else holds its name (a CreateQueue on a queue that
 * exists with the same attributes would otherwise take it over, tags and all).
 */
async function createOwnDeadLetterQueue(ctx: KindContext, queueName: string, fifo: boolean, owner: OwnerIdentity): Promise<{ url: string; arn: string }> {
  const result = await sqs(ctx).send(
    new CreateQueueCommand({
      QueueName: ownDeadLetterQueueName(queueName),
      Attributes: { MessageRetentionPeriod: OWN_DLQ_RETENTION, ...(fifo ? { FifoQueue: 'true' } : {}) },
      tags: partTags(owner, OWN_DLQ_ROLE),
    }),
  );
  const url = result.QueueUrl as string;
  return { url, arn: await queueArnOf(ctx, url) };
}

async function deleteQueue(ctx: KindContext, url: string | undefined): Promise<void> {
  if (!url) return;
  try {
    await sqs(ctx).send(new DeleteQueueCommand({ QueueUrl: url }));
  } catch (error) {
    if (!isAwsNotFound(error)) throw error;
  }
}

/**
 * The queue first, with its tags (the pending one too, see registry/half-made.ts); then its own
 * dead-letter queue and the redrive to it. Stopped between (a crash, a failed rollback), the queue is
 * half made and a retry or the resync finds both, the dead-letter queue by its part tags.
 */
async function create(ctx: KindContext, name: string, spec: SQSQueueSpec, tags: Record<string, string>): Promise<string> {
  const policy = joinPolicy({ ...(spec.policy ? { user: spec.policy } : {}), managed: [] });
  const deadLetterArn = spec.usedeadletterQueue ? undefined : spec.deadLetterQueue?.arn;
  const url = (await sqs(ctx).send(new CreateQueueCommand({ QueueName: name, Attributes: attributesFor(spec, deadLetterArn, policy), tags }))).QueueUrl as string;
  if (!spec.usedeadletterQueue) return url;
  try {
    const own = await createOwnDeadLetterQueue(ctx, name, spec.fifoQueue, ownerOf(tags));
    // moto drops a queue's policy on any SetQueueAttributes without one; resending it is harmless in AWS.
    await sqs(ctx).send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { RedrivePolicy: redrivePolicy(own.arn, spec), ...(policy ? { Policy: policy } : {}) } }));
  } catch (error) {
    await discardQueue(ctx, url, name, ownerOf(tags)).catch(() => undefined);
    throw error;
  }
  return url;
}

/** Removes a queue whose create did not finish, and its own dead-letter queue if one was made for it. */
async function discardQueue(ctx: KindContext, url: string, queueName: string, owner: OwnerIdentity): Promise<void> {
  const deadLetterQueue = ownDeadLetterQueueName(queueName);
  if (isOwnDeadLetterQueue(await queueTagsOf(ctx, deadLetterQueue), owner)) await deleteQueue(ctx, await queueUrlOf(ctx, deadLetterQueue));
  await deleteQueue(ctx, url);
}

/** Attributes a removal has to send explicitly, and the value that removes them. */
const REMOVED_VALUE: Attributes = { RedrivePolicy: '', Policy: '', KmsMasterKeyId: '' };

function changedAttributes(before: Attributes, after: Attributes): Attributes {
  const changes: Attributes = {};
  for (const [key, value] of Object.entries(after)) if (before[key] !== value) changes[key] = value;
  for (const key of Object.keys(before)) if (!(key in after) && key in REMOVED_VALUE) changes[key] = REMOVED_VALUE[key];
  return changes;
}

/**
 * SQS takes every attribute in one SetQueueAttributes call; the attributes are derived from several
 * fields at once (the redrive policy from usedeadletterQueue and deadLetterQueue, the policy text from
 * the user's and the server's statements), so the call carries the attributes whose values differ.
 */
async function update(ctx: KindContext, observed: Observed<SQSQueueSpec>, change: SpecChange<SQSQueueSpec>): Promise<void> {
  const { current, desired } = change;
  const name = current.queueName as string;
  const ownUrl = observed.status.deadLetterQueueURL as string | undefined;
  const own = desired.usedeadletterQueue && !current.usedeadletterQueue ? await createOwnDeadLetterQueue(ctx, name, desired.fifoQueue, ownerOf(observed.tags)) : undefined;
  const managed = splitPolicy(((await attributesOf(ctx, observed.ref)) ?? {}).Policy).managed;
  const currentTarget = observed.status.deadLetterQueueARN as string | undefined;
  const desiredTarget = desired.usedeadletterQueue ? (own?.arn ?? currentTarget) : desired.deadLetterQueue?.arn;
  const before = attributesFor(current, currentTarget, joinPolicy({ ...(current.policy ? { user: current.policy } : {}), managed }));
  const after = attributesFor(desired, desiredTarget, joinPolicy({ ...(desired.policy ? { user: desired.policy } : {}), managed }));
  const changes = changedAttributes(before, after);
  // moto drops a queue's policy on any SetQueueAttributes without one; resending it is harmless in AWS.
  if (Object.keys(changes).length && after.Policy) changes.Policy = after.Policy;
  if (Object.keys(changes).length) await sqs(ctx).send(new SetQueueAttributesCommand({ QueueUrl: observed.ref, Attributes: changes }));
  if (current.usedeadletterQueue && !desired.usedeadletterQueue) await deleteQueue(ctx, ownUrl);
}

async function setTags(ctx: KindContext, observed: Observed<SQSQueueSpec>, change: TagChange): Promise<void> {
  if (Object.keys(change.set).length) await sqs(ctx).send(new TagQueueCommand({ QueueUrl: observed.ref, Tags: change.set }));
  if (change.remove.length) await sqs(ctx).send(new UntagQueueCommand({ QueueUrl: observed.ref, TagKeys: change.remove }));
}

async function remove(ctx: KindContext, observed: Observed<SQSQueueSpec>): Promise<DeleteOutcome> {
  await deleteQueue(ctx, observed.ref);
  if (observed.spec.usedeadletterQueue) await deleteQueue(ctx, observed.status.deadLetterQueueURL as string | undefined);
  return { state: 'deleted' };
}

async function* enumerate(ctx: KindContext, clusterName: string): AsyncIterable<Listed> {
  for await (const resource of resourcesOfCluster(ctx, 'sqs', clusterName)) yield { ref: parseArn(resource.arn)?.resource ?? resource.arn, tags: resource.tags };
}

/** The identity of the object a queue's tags say it belongs to (the store wrote them). */
function ownerOf(tags: Record<string, string>): OwnerIdentity {
  return readIdentity(tags) as OwnerIdentity;
}

/** The queue's own dead-letter queue (a part), or the one it redrives to (a target). */
function linked(spec: SQSQueueSpec, queueName: string): LinkedResource[] {
  const tagsOf = (ref: string) => (ctx: KindContext) => queueTagsOf(ctx, ref);
  if (spec.usedeadletterQueue) {
    const name = ownDeadLetterQueueName(queueName);
    return [{ use: 'part', field: 'spec.usedeadletterQueue', kind: 'SQSQueue', name, role: OWN_DLQ_ROLE, tags: tagsOf(name) }];
  }
  const arn = spec.deadLetterQueue?.arn;
  return arn ? [{ use: 'target', field: 'spec.deadLetterQueue.arn', kind: 'SQSQueue', name: arn, tags: tagsOf(arn) }] : [];
}

export const sqsQueueAws: KindAws<SQSQueueSpec> = {
  physicalName: (identity: ObjectIdentity, spec?: SQSQueueSpec) => spec?.queueName ?? defaultMessagingName(identity, MAX_NAME, spec?.fifoQueue === true),
  explicitName: { field: 'queueName', rules: MESSAGING_NAMING, suffixes: MESSAGING_SUFFIXES },
  linked,
  find,
  create,
  update,
  setTags,
  delete: remove,
  discard: (ctx, observed) => discardQueue(ctx, observed.ref, observed.spec.queueName as string, ownerOf(observed.tags)),
  enumerate,
};
