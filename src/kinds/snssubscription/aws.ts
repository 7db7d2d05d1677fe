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
import { allPages } from '../../aws/paginate.js';
import { fieldError } from '../../api/errors.js';
import { isAwsNotFound } from '../../aws/errors.js';
import { CLUSTER_TAG, readIdentity } from '../../aws/metadata-tags.js';
import { sns, topicTags } from '../../aws/sns.js';
import { allowTopic, disallowTopic, queueTagsByArn } from '../../aws/sqs.js';
import { resourcesOfCluster } from '../../aws/tagging.js';
import { changed, ResourceConflict, SpecInvalid, type DeleteOutcome, type KindAws, type KindContext, type Listed, type ObjectIdentity, type Observed, type SpecChange, type TagChange } from '../../registry/kind.js';
import { siblingName } from '../../registry/references.js';
import { deleteParameter, parameterName, parameterNameOfArn, parameterTags, readParameter, tagParameter, writeParameter } from './parameter.js';
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
    nameOf(attributes.Protocol === 'sqs' ? attributes.Endpoint : undefined, queueTagsByArn),
    nameOf(deadLetterArnOf(attributes), queueTagsByArn),
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

async function find(ctx: KindContext, parameter: string): Promise<Observed<SNSSubscriptionSpec> | undefined> {
  const arn = await readParameter(ctx, parameter);
  // A parameter whose subscription is gone (its topic was deleted, say) is not an object any more.
  const attributes = arn && (await subscriptionAttributes(ctx, arn));
  if (!arn || !attributes) return undefined;
  const tags = await parameterTags(ctx, parameter);
  const owner = readIdentity(tags);
  const pending = attributes.PendingConfirmation === 'true';
  return {
    ref: parameter,
    arn,
    tags,
    lifecycle: pending
      ? { state: 'PENDING_CONFIRMATION', phase: 'Creating', message: 'SNS is waiting for the endpoint owner to confirm the subscription' }
      : { state: 'CONFIRMED', phase: 'Ready', message: 'subscription is confirmed' },
    spec: await renderSpec(ctx, attributes, owner && { clusterName: owner.cluster, namespace: owner.namespace }),
    status: { arn, subscriptionARN: arn, topicARN: attributes.TopicArn, endpoint: attributes.Endpoint, pendingConfirmation: pending, metadataParameter: parameter },
    outputs: { subscriptionARN: arn },
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

async function create(ctx: KindContext, parameter: string, spec: SNSSubscriptionSpec, tags: Record<string, string>): Promise<string> {
  const topicArn = spec.topicARN as string;
  await refuseDuplicate(ctx, spec);
  // The store found no live subscription under this parameter: a parameter left there is an orphan.
  await deleteParameter(ctx, parameter);
  let subscriptionArn = '';
  try {
    for (const queue of queuesOf(spec)) await allowTopic(ctx, queue, topicArn);
    const result = await sns(ctx).send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: spec.protocol, Endpoint: awsEndpoint(spec), Attributes: subscribeAttributes(spec), ReturnSubscriptionArn: true }),
    );
    subscriptionArn = result.SubscriptionArn as string;
    await writeParameter(ctx, parameter, subscriptionArn, tags);
    return parameter;
  } catch (error) {
    // Nothing half made stays behind: no subscription without its parameter, no policy grant without use.
    if (subscriptionArn) await sns(ctx).send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn })).catch(() => undefined);
    await releaseQueues(ctx, topicArn, queuesOf(spec), subscriptionArn).catch(() => undefined);
    throw error;
  }
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

async function update(ctx: KindContext, observed: Observed<SNSSubscriptionSpec>, change: SpecChange<SNSSubscriptionSpec>): Promise<void> {
  const { current, desired } = change;
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
  try {
    await sns(ctx).send(new UnsubscribeCommand({ SubscriptionArn: observed.arn }));
  } catch (error) {
    if (!isAwsNotFound(error)) throw error;
  }
  await releaseQueues(ctx, spec.topicARN as string, queuesOf(spec), observed.arn);
  await deleteParameter(ctx, observed.ref);
  return { state: 'deleted' };
}

async function* enumerate(ctx: KindContext, clusterName: string): AsyncIterable<Listed> {
  for await (const resource of resourcesOfCluster(ctx, 'ssm:parameter', clusterName)) {
    const name = parameterNameOfArn(resource.arn);
    if (name) yield { ref: name, tags: resource.tags };
  }
}

export const snsSubscriptionAws: KindAws<SNSSubscriptionSpec> = {
  physicalName: (identity: ObjectIdentity) => parameterName(identity),
  find,
  create,
  update,
  setTags,
  delete: remove,
  enumerate,
};
