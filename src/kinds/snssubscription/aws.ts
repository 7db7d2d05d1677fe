// SNS subscriptions through @aws-sdk/client-sns, their metadata in an SSM parameter (parameter.ts). For
// sqs endpoints and dead-letter queues the server also lets the topic send to the queue, and takes that
// back on delete unless another subscription of the topic still needs it.
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
  UnsubscribeCommand,
  type Subscription,
} from '@aws-sdk/client-sns';
import { isArn } from '../../aws/arn.js';
import { allPages } from '../../aws/paginate.js';
import { fieldError } from '../../api/errors.js';
import { isAwsNotFound } from '../../aws/errors.js';
import { CLUSTER_TAG, readIdentity } from '../../aws/metadata-tags.js';
import { sns, topicTags } from '../../aws/sns.js';
import { allowTopic, disallowTopic, queueTagsOf } from '../../aws/sqs.js';
import { changed, ResourceConflict, SpecInvalid, type DeleteOutcome, type KindAws, type KindContext, type Lifecycle, type LinkedResource, type Listed, type ObjectIdentity, type Observed, type SpecChange, type TagChange } from '../../registry/kind.js';
import { siblingName } from '../../registry/references.js';
import { createParameter, deleteParameter, overwriteParameter, parametersOfCluster, parameterTags, readParameter, tagParameter } from '../../aws/parameters.js';
import { intentOf, intentValue, PARAMETER_DESCRIPTION, PARAMETER_PREFIX, parameterName, type IntendedSubscription } from './parameter.js';
import type { Protocol, SNSSubscriptionSpec } from './spec.js';

type Attributes = Record<string, string>;
type Referrer = Pick<ObjectIdentity, 'clusterName' | 'namespace'>;

// ------------------------------------------------------------------ reading

async function subscriptionAttributes(ctx: KindContext, arn: string): Promise<Attributes | undefined> {
  try {
    return (await sns(ctx).send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes ?? {};
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}

const deadLetterArnOf = (attributes: Attributes): string | undefined =>
  attributes.RedrivePolicy ? (JSON.parse(attributes.RedrivePolicy) as { deadLetterTargetArn?: string }).deadLetterTargetArn : undefined;

function filterPolicyOf(attributes: Attributes): Record<string, unknown> | undefined {
  const policy = attributes.FilterPolicy ? (JSON.parse(attributes.FilterPolicy) as Record<string, unknown>) : undefined;
  return policy && Object.keys(policy).length ? policy : undefined;
}

/** The object names (in the referrer's namespace) of the topic and queues a subscription points at. */
async function siblingsOf(ctx: KindContext, attributes: Attributes, referrer: Referrer | undefined) {
  const nameOf = async (arn: string | undefined, tagsOf: (ctx: KindContext, arn: string) => Promise<Record<string, string> | undefined>) =>
    referrer && arn ? siblingName((await tagsOf(ctx, arn)) ?? {}, referrer) : undefined;
  const [topic, queue, deadLetterQueue] = await Promise.all([
    nameOf(attributes.TopicArn, topicTags),
    nameOf(attributes.Protocol === 'sqs' ? attributes.Endpoint : undefined, queueTagsOf),
    nameOf(deadLetterArnOf(attributes), queueTagsOf),
  ]);
  return { topic, queue, deadLetterQueue };
}

async function renderSpec(ctx: KindContext, attributes: Attributes, referrer: Referrer | undefined): Promise<SNSSubscriptionSpec> {
  const names = await siblingsOf(ctx, attributes, referrer);
  const sqsEndpoint = attributes.Protocol === 'sqs';
  const filterPolicy = filterPolicyOf(attributes);
  const deadLetterArn = deadLetterArnOf(attributes);
  return {
    ...(names.topic ? { topicName: names.topic } : {}),
    topicARN: attributes.TopicArn,
    protocol: attributes.Protocol as Protocol,
    endpoint: names.queue ?? attributes.Endpoint,
    ...(sqsEndpoint ? { queueARN: attributes.Endpoint } : {}),
    rawMessageDelivery: attributes.RawMessageDelivery === 'true',
    ...(filterPolicy ? { filterPolicy, filterPolicyScope: (attributes.FilterPolicyScope ?? 'MessageAttributes') as SNSSubscriptionSpec['filterPolicyScope'] } : {}),
    ...(deadLetterArn ? { deadLetterQueue: { ...(names.deadLetterQueue ? { name: names.deadLetterQueue } : {}), arn: deadLetterArn } } : {}),
    ...(attributes.SubscriptionRoleArn ? { subscriptionRoleArn: attributes.SubscriptionRoleArn } : {}),
  };
}

/** Where a half-made create stopped: the intent recorded, the subscription perhaps not made yet. */
const NOT_SUBSCRIBED = 'NOT_SUBSCRIBED';
const UNRECORDED = 'SUBSCRIBED_UNRECORDED';

/** The subscription a create intended, if SNS has it (a create stopped after subscribing, say). */
async function subscriptionFor(ctx: KindContext, intent: IntendedSubscription): Promise<string | undefined> {
  try {
    const same = (await subscriptionsOf(ctx, intent.topicArn)).find((s) => s.Protocol === intent.protocol && s.Endpoint === intent.endpoint);
    return same?.SubscriptionArn && isArn(same.SubscriptionArn) ? same.SubscriptionArn : undefined;
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}

async function find(ctx: KindContext, parameter: string): Promise<Observed<SNSSubscriptionSpec> | undefined> {
  const value = await readParameter(ctx, parameter);
  if (value === undefined) return undefined;
  const intent = intentOf(value);
  const arn = intent ? await subscriptionFor(ctx, intent) : value;
  const attributes = arn ? await subscriptionAttributes(ctx, arn) : undefined;
  // A parameter whose subscription is gone (its topic was deleted, say) is not an object any more.
  if (!attributes && !intent) return undefined;
  const tags = await parameterTags(ctx, parameter);
  // Deleted since its value was read (the subscription is being removed): gone.
  if (!tags) return undefined;
  const owner = readIdentity(tags);
  const referrer = owner && { clusterName: owner.cluster, namespace: owner.namespace };
  const seen = attributes ?? { TopicArn: intent?.topicArn ?? '', Protocol: intent?.protocol ?? '', Endpoint: intent?.endpoint ?? '' };
  const pending = seen.PendingConfirmation === 'true';
  const lifecycle: Lifecycle = intent
    ? { state: attributes ? UNRECORDED : NOT_SUBSCRIBED, phase: 'Creating', message: 'the create of this subscription has not finished' }
    : pending
      ? { state: 'PENDING_CONFIRMATION', phase: 'Creating', message: 'SNS is waiting for the endpoint owner to confirm the subscription' }
      : { state: 'CONFIRMED', phase: 'Ready', message: 'subscription is confirmed' };
  return {
    ref: parameter,
    arn: arn ?? '',
    tags,
    lifecycle,
    spec: await renderSpec(ctx, seen, referrer),
    status: { arn: arn ?? '', subscriptionARN: arn ?? '', topicARN: seen.TopicArn, endpoint: seen.Endpoint, pendingConfirmation: pending, metadataParameter: parameter },
    outputs: { subscriptionARN: arn ?? '' },
  };
}

// ------------------------------------------------------------------ writing

/** The endpoint as SNS takes it: the queue's ARN for sqs. */
const awsEndpoint = (spec: SNSSubscriptionSpec): string => (spec.protocol === 'sqs' ? (spec.queueARN as string) : spec.endpoint);

/** The queues the topic has to be able to send to: the sqs endpoint and the dead-letter queue. */
const queuesOf = (spec: SNSSubscriptionSpec): string[] => [spec.protocol === 'sqs' ? spec.queueARN : undefined, spec.deadLetterQueue?.arn].filter((arn): arn is string => !!arn);

async function subscriptionsOf(ctx: KindContext, topicArn: string): Promise<Subscription[]> {
  const subscriptions: Subscription[] = [];
  const pages = allPages(
    'ListSubscriptionsByTopic',
    (token) => sns(ctx).send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, ...(token ? { NextToken: token } : {}) })),
    (page) => page.NextToken,
  );
  for await (const page of pages) subscriptions.push(...(page.Subscriptions ?? []));
  return subscriptions;
}

/** SNS keeps one subscription per topic, protocol and endpoint; a second object cannot have its own. */
async function refuseDuplicate(ctx: KindContext, spec: SNSSubscriptionSpec): Promise<void> {
  const topicArn = spec.topicARN as string;
  const endpoint = awsEndpoint(spec);
  let existing: Subscription[];
  try {
    existing = await subscriptionsOf(ctx, topicArn);
  } catch (error) {
    if (!isAwsNotFound(error)) throw error;
    throw new SpecInvalid([fieldError('FieldValueNotFound', 'spec.topicARN', 'SNS has no such topic', topicArn)]);
  }
  const same = existing.find((s) => s.Protocol === spec.protocol && s.Endpoint === endpoint);
  if (same) {
    throw new ResourceConflict(`the topic already has a ${spec.protocol} subscription to ${endpoint} (${same.SubscriptionArn}); SNS keeps one subscription per topic and endpoint, so this object cannot have its own`);
  }
}

/** Whether another subscription of the topic delivers to the queue or uses it as dead-letter queue. */
async function queueStillNeeded(ctx: KindContext, topicArn: string, queueArn: string, except: string): Promise<boolean> {
  let others: Subscription[];
  try {
    others = (await subscriptionsOf(ctx, topicArn)).filter((s) => s.SubscriptionArn !== except);
  } catch (error) {
    if (isAwsNotFound(error)) return false;
    throw error;
  }
  if (others.some((s) => s.Endpoint === queueArn)) return true;
  const redrives = await Promise.all(others.map(async (s) => deadLetterArnOf((await subscriptionAttributes(ctx, s.SubscriptionArn as string)) ?? {})));
  return redrives.includes(queueArn);
}

async function releaseQueues(ctx: KindContext, topicArn: string, queues: string[], subscriptionArn: string): Promise<void> {
  for (const queue of queues) if (!(await queueStillNeeded(ctx, topicArn, queue, subscriptionArn))) await disallowTopic(ctx, queue, topicArn);
}

function subscribeAttributes(spec: SNSSubscriptionSpec): Attributes {
  return {
    // Not every protocol has raw delivery; only say so where it is wanted.
    ...(spec.rawMessageDelivery ? { RawMessageDelivery: 'true' } : {}),
    ...(spec.filterPolicy ? { FilterPolicyScope: spec.filterPolicyScope as string, FilterPolicy: JSON.stringify(spec.filterPolicy) } : {}),
    ...(spec.deadLetterQueue?.arn ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: spec.deadLetterQueue.arn }) } : {}),
    ...(spec.subscriptionRoleArn ? { SubscriptionRoleArn: spec.subscriptionRoleArn } : {}),
  };
}

/**
 * Intent first: the parameter (with the object's tags, the pending one too: registry/half-made.ts) says
 * which subscription the create will make, so a create stopped half way (a crash, a failed rollback) is
 * found with what it made. Then the queues' policies, the subscription, and its ARN in the parameter.
 */
async function create(ctx: KindContext, parameter: string, spec: SNSSubscriptionSpec, tags: Record<string, string>): Promise<string> {
  // The store found no subscription under this parameter: a parameter left there is an orphan.
  await deleteParameter(ctx, parameter);
  await createParameter(ctx, parameter, intentValue({ topicArn: spec.topicARN as string, protocol: spec.protocol, endpoint: awsEndpoint(spec), queues: queuesOf(spec) }), PARAMETER_DESCRIPTION, tags);
  let subscriptionArn = '';
  try {
    subscriptionArn = await subscribe(ctx, parameter, spec);
    return parameter;
  } catch (error) {
    // Nothing half made stays behind: no subscription without its parameter, no policy grant without use.
    await unsubscribe(ctx, parameter, subscriptionArn, spec.topicARN as string, queuesOf(spec)).catch(() => undefined);
    throw error;
  }
}

/** The rest of a create once its intent is recorded: policies, the subscription, its ARN recorded. */
async function subscribe(ctx: KindContext, parameter: string, spec: SNSSubscriptionSpec): Promise<string> {
  const topicArn = spec.topicARN as string;
  for (const queue of queuesOf(spec)) await allowTopic(ctx, queue, topicArn);
  const result = await sns(ctx).send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: spec.protocol, Endpoint: awsEndpoint(spec), Attributes: subscribeAttributes(spec), ReturnSubscriptionArn: true }),
  );
  const subscriptionArn = result.SubscriptionArn as string;
  await overwriteParameter(ctx, parameter, subscriptionArn);
  return subscriptionArn;
}

/** Takes a subscription (if made), the policy grants nothing else needs, and its parameter away. */
async function unsubscribe(ctx: KindContext, parameter: string, subscriptionArn: string, topicArn: string, queues: string[]): Promise<void> {
  if (subscriptionArn) {
    try {
      await sns(ctx).send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }));
    } catch (error) {
      if (!isAwsNotFound(error)) throw error;
    }
  }
  await releaseQueues(ctx, topicArn, queues, subscriptionArn);
  await deleteParameter(ctx, parameter);
}

/** SetSubscriptionAttributes calls in the order SNS needs (a filter's scope before the filter). */
function attributeChanges(change: SpecChange<SNSSubscriptionSpec>): [string, string][] {
  const { current, desired } = change;
  const changes: [string, string][] = [];
  if (desired.filterPolicy && changed(change, 'filterPolicyScope')) changes.push(['FilterPolicyScope', desired.filterPolicyScope as string]);
  if (changed(change, 'filterPolicy')) changes.push(['FilterPolicy', desired.filterPolicy ? JSON.stringify(desired.filterPolicy) : '']);
  if (changed(change, 'rawMessageDelivery')) changes.push(['RawMessageDelivery', String(desired.rawMessageDelivery)]);
  // The queue's object name may change while its ARN stays: only the ARN matters to SNS.
  const deadLetterArn = desired.deadLetterQueue?.arn;
  if (deadLetterArn !== current.deadLetterQueue?.arn) changes.push(['RedrivePolicy', deadLetterArn ? JSON.stringify({ deadLetterTargetArn: deadLetterArn }) : '']);
  if (changed(change, 'subscriptionRoleArn')) changes.push(['SubscriptionRoleArn', desired.subscriptionRoleArn ?? '']);
  return changes;
}

/** Finishes a create that stopped half way (the store calls update for that); false when there was none. */
async function finishCreate(ctx: KindContext, observed: Observed<SNSSubscriptionSpec>, desired: SNSSubscriptionSpec): Promise<boolean> {
  if (observed.lifecycle.state === NOT_SUBSCRIBED) await subscribe(ctx, observed.ref, desired);
  else if (observed.lifecycle.state === UNRECORDED) await overwriteParameter(ctx, observed.ref, observed.arn);
  return observed.lifecycle.state === NOT_SUBSCRIBED;
}

async function update(ctx: KindContext, observed: Observed<SNSSubscriptionSpec>, change: SpecChange<SNSSubscriptionSpec>): Promise<void> {
  const { current, desired } = change;
  if (await finishCreate(ctx, observed, desired)) return;
  const topicArn = current.topicARN as string;
  const oldDeadLetter = current.deadLetterQueue?.arn;
  const newDeadLetter = desired.deadLetterQueue?.arn;
  if (newDeadLetter && newDeadLetter !== oldDeadLetter) await allowTopic(ctx, newDeadLetter, topicArn);
  for (const [AttributeName, AttributeValue] of attributeChanges(change)) {
    await sns(ctx).send(new SetSubscriptionAttributesCommand({ SubscriptionArn: observed.arn, AttributeName, AttributeValue }));
  }
  if (oldDeadLetter && oldDeadLetter !== newDeadLetter) await releaseQueues(ctx, topicArn, [oldDeadLetter], observed.arn);
}

async function setTags(ctx: KindContext, observed: Observed<SNSSubscriptionSpec>, change: TagChange): Promise<void> {
  // The parameter exists only to carry these tags: once the ownership tags go (deletion policy retain),
  // the subscription is released and its parameter with them.
  if (change.remove.includes(CLUSTER_TAG)) return deleteParameter(ctx, observed.ref);
  await tagParameter(ctx, observed.ref, change);
}

async function remove(ctx: KindContext, observed: Observed<SNSSubscriptionSpec>): Promise<DeleteOutcome> {
  const spec = observed.spec;
  await unsubscribe(ctx, observed.ref, observed.arn, spec.topicARN as string, queuesOf(spec));
  return { state: 'deleted' };
}

/** A create that stopped half way: what it made, the policy grants its intent names included. */
async function discard(ctx: KindContext, observed: Observed<SNSSubscriptionSpec>): Promise<void> {
  const intent = intentOf((await readParameter(ctx, observed.ref)) ?? '');
  await unsubscribe(ctx, observed.ref, observed.arn, observed.status.topicARN as string, intent?.queues ?? queuesOf(observed.spec));
}

async function* enumerate(ctx: KindContext, clusterName: string): AsyncIterable<Listed> {
  for await (const parameter of parametersOfCluster(ctx, clusterName, PARAMETER_PREFIX)) yield { ref: parameter.name, tags: parameter.tags };
}

/**
 * What a subscription wires together: its topic, for sqs its queue and any dead-letter queue (whose
 * policies the server changes so the topic can send to them). The field named is the one the user
 * wrote the ARN in.
 */
function linked(spec: SNSSubscriptionSpec): LinkedResource[] {
  const queue = (field: string, arn: string): LinkedResource => ({ use: 'target', field, kind: 'SQSQueue', name: arn, tags: (ctx) => queueTagsOf(ctx, arn) });
  const topicArn = spec.topicARN;
  return [
    ...(topicArn ? [{ use: 'target' as const, field: 'spec.topicARN', kind: 'SNSTopic', name: topicArn, tags: (ctx: KindContext) => topicTags(ctx, topicArn) }] : []),
    ...(spec.protocol === 'sqs' && spec.queueARN ? [queue(isArn(spec.endpoint) ? 'spec.endpoint' : 'spec.queueARN', spec.queueARN)] : []),
    ...(spec.deadLetterQueue?.arn ? [queue('spec.deadLetterQueue.arn', spec.deadLetterQueue.arn)] : []),
  ];
}

export const snsSubscriptionAws: KindAws<SNSSubscriptionSpec> = {
  physicalName: (identity: ObjectIdentity) => parameterName(identity),
  linked,
  precheck: refuseDuplicate,
  find,
  create,
  update,
  setTags,
  delete: remove,
  discard,
  enumerate,
};
