// SNS topics through @aws-sdk/client-sns: attributes into the canonical spec, created with their tags
// in the same call, changed one attribute per SetTopicAttributes call (the only way SNS takes them).
import { CreateTopicCommand, DeleteTopicCommand, GetTopicAttributesCommand, SetTopicAttributesCommand, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-sns';
import { parseArn } from '../../aws/arn.js';
import { isAwsNotFound } from '../../aws/errors.js';
import { defaultMessagingName, MESSAGING_NAMING, MESSAGING_SUFFIXES } from '../../aws/naming.js';
import { sns, topicArnOf, topicTags } from '../../aws/sns.js';
import { toTagList } from '../../aws/tag-list.js';
import { resourcesOfCluster } from '../../aws/tagging.js';
import { changed, type DeleteOutcome, type KindAws, type KindContext, type Listed, type ObjectIdentity, type Observed, type SpecChange, type TagChange } from '../../registry/kind.js';
import type { SNSTopicSpec } from './spec.js';

const DEFAULT_POLICY_ID = '__default_policy_ID';

/** The policy SNS gives every new topic; writing it back is how an omitted policy is restored. */
function defaultPolicy(arn: string, account: string): Record<string, unknown> {
  return {
    Version: '2008-10-17',
    Id: DEFAULT_POLICY_ID,
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic', 'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'],
        Resource: arn,
        Condition: { StringEquals: { 'AWS:SourceOwner': account } },
      },
    ],
  };
}

function parsedJson(text: string | undefined): Record<string, unknown> | undefined {
  return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
}

const isTrue = (value: string | undefined): boolean => value?.toLowerCase() === 'true';

function renderSpec(name: string, attributes: Record<string, string>): SNSTopicSpec {
  const policy = parsedJson(attributes.Policy);
  const deliveryPolicy = parsedJson(attributes.DeliveryPolicy);
  return {
    topicName: name,
    ...(attributes.DisplayName ? { displayName: attributes.DisplayName } : {}),
    fifoTopic: isTrue(attributes.FifoTopic),
    contentBasedDeduplication: isTrue(attributes.ContentBasedDeduplication),
    ...(attributes.KmsMasterKeyId ? { kmsMasterKeyId: attributes.KmsMasterKeyId } : {}),
    ...(policy && policy.Id !== DEFAULT_POLICY_ID ? { policy } : {}),
    ...(deliveryPolicy ? { deliveryPolicy } : {}),
  };
}

async function attributesOf(ctx: KindContext, arn: string): Promise<Record<string, string> | undefined> {
  try {
    return (await sns(ctx).send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes ?? {};
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}

async function find(ctx: KindContext, ref: string): Promise<Observed<SNSTopicSpec> | undefined> {
  const arn = await topicArnOf(ctx, ref);
  const attributes = await attributesOf(ctx, arn);
  const tags = attributes && (await topicTags(ctx, arn));
  if (!attributes || !tags) return undefined;
  const name = parseArn(arn)?.resource ?? ref;
  return {
    ref: arn,
    arn,
    tags,
    lifecycle: { state: 'ACTIVE', phase: 'Ready', message: 'topic exists' },
    spec: renderSpec(name, attributes),
    status: {
      arn,
      topicARN: arn,
      topicName: name,
      subscriptionsConfirmed: Number(attributes.SubscriptionsConfirmed ?? 0),
      subscriptionsPending: Number(attributes.SubscriptionsPending ?? 0),
    },
    outputs: { topicARN: arn },
  };
}

/** The attributes CreateTopic takes for a spec; unset ones are left to AWS's defaults. */
function createAttributes(spec: SNSTopicSpec): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (spec.displayName) attributes.DisplayName = spec.displayName;
  if (spec.fifoTopic) {
    attributes.FifoTopic = 'true';
    attributes.ContentBasedDeduplication = String(spec.contentBasedDeduplication);
  }
  if (spec.kmsMasterKeyId) attributes.KmsMasterKeyId = spec.kmsMasterKeyId;
  if (spec.policy) attributes.Policy = JSON.stringify(spec.policy);
  if (spec.deliveryPolicy) attributes.DeliveryPolicy = JSON.stringify(spec.deliveryPolicy);
  return attributes;
}

async function create(ctx: KindContext, name: string, spec: SNSTopicSpec, tags: Record<string, string>): Promise<string> {
  const result = await sns(ctx).send(new CreateTopicCommand({ Name: name, Attributes: createAttributes(spec), Tags: toTagList(tags) }));
  return result.TopicArn as string;
}

/** The attribute values that take the topic from current to desired; omitted settings go back to AWS's. */
async function changedAttributes(ctx: KindContext, arn: string, change: SpecChange<SNSTopicSpec>): Promise<Record<string, string>> {
  const { desired } = change;
  const changes: Record<string, string> = {};
  if (changed(change, 'displayName')) changes.DisplayName = desired.displayName ?? '';
  if (changed(change, 'contentBasedDeduplication')) changes.ContentBasedDeduplication = String(desired.contentBasedDeduplication);
  if (changed(change, 'kmsMasterKeyId')) changes.KmsMasterKeyId = desired.kmsMasterKeyId ?? '';
  if (changed(change, 'policy')) changes.Policy = JSON.stringify(desired.policy ?? defaultPolicy(arn, await ctx.accountId()));
  if (changed(change, 'deliveryPolicy')) changes.DeliveryPolicy = desired.deliveryPolicy ? JSON.stringify(desired.deliveryPolicy) : '';
  return changes;
}

async function update(ctx: KindContext, observed: Observed<SNSTopicSpec>, change: SpecChange<SNSTopicSpec>): Promise<void> {
  const changes = await changedAttributes(ctx, observed.arn, change);
  for (const [AttributeName, AttributeValue] of Object.entries(changes)) {
    await sns(ctx).send(new SetTopicAttributesCommand({ TopicArn: observed.arn, AttributeName, AttributeValue }));
  }
}

async function setTags(ctx: KindContext, observed: Observed<SNSTopicSpec>, change: TagChange): Promise<void> {
  if (Object.keys(change.set).length) await sns(ctx).send(new TagResourceCommand({ ResourceArn: observed.arn, Tags: toTagList(change.set) }));
  if (change.remove.length) await sns(ctx).send(new UntagResourceCommand({ ResourceArn: observed.arn, TagKeys: change.remove }));
}

async function remove(ctx: KindContext, observed: Observed<SNSTopicSpec>): Promise<DeleteOutcome> {
  // DeleteTopic is idempotent; SNS removes the topic's subscriptions with it.
  await sns(ctx).send(new DeleteTopicCommand({ TopicArn: observed.arn }));
  return { state: 'deleted' };
}

async function* enumerate(ctx: KindContext, clusterName: string): AsyncIterable<Listed> {
  // The tagging API knows SNS resources as "sns" (topics are the only taggable ones).
  for await (const resource of resourcesOfCluster(ctx, 'sns', clusterName)) yield { ref: resource.arn, tags: resource.tags };
}

export const snsTopicAws: KindAws<SNSTopicSpec> = {
  physicalName: (identity: ObjectIdentity, spec?: SNSTopicSpec) => spec?.topicName ?? defaultMessagingName(identity, 256, spec?.fifoTopic === true),
  explicitName: { field: 'topicName', rules: MESSAGING_NAMING, suffixes: MESSAGING_SUFFIXES },
  find,
  create,
  update,
  setTags,
  delete: remove,
  enumerate,
};
