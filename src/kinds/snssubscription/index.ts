// SNSSubscription: a subscription of an SNS topic. As in the original operator, topicName names an
// SNSTopic object of the namespace and, for protocol sqs, endpoint names an SQSQueue object; both may
// also be ARNs. Its output (subscriptionARN) is in `output` and the ConfigMap; its Kubernetes metadata
// lives in an SSM parameter (see parameter.ts), since subscriptions cannot be tagged.
import { isArn } from '../../aws/arn.js';
import { topicTags } from '../../aws/sns.js';
import { queueTagsOf } from '../../aws/sqs.js';
import type { KindContext, KindDefinition, ReferenceContext } from '../../registry/kind.js';
import { resolveReference, siblingName, type NameOfArn } from '../../registry/references.js';
import { snsSubscriptionAws } from './aws.js';
import { snsSubscriptionOutputSchema, snsSubscriptionSpecSchema, snsSubscriptionStatusSchema } from './schema.js';
import { canonicalSpec, validateSpec, type SNSSubscriptionSpec } from './spec.js';

type Spec = SNSSubscriptionSpec;
type References = ReferenceContext<Spec>;

const TOPIC = { path: 'spec', nameKey: 'topicName', arnKey: 'topicARN', plural: 'snstopics', kind: 'SNSTopic' };
const QUEUE_ENDPOINT = { path: 'spec', nameKey: 'endpoint', arnKey: 'queueARN', plural: 'sqsqueues', kind: 'SQSQueue' };
const DEAD_LETTER_QUEUE = { path: 'spec.deadLetterQueue', nameKey: 'name', arnKey: 'arn', plural: 'sqsqueues', kind: 'SQSQueue' };

/** An sqs endpoint: an SQSQueue object's name, or a queue ARN (kept as the endpoint unless an object owns it). */
async function resolveQueueEndpoint(spec: Spec, references: References, queueName: NameOfArn): Promise<Spec> {
  const endpoint = spec.endpoint;
  if (isArn(endpoint)) return { ...spec, endpoint: (await queueName(endpoint)) ?? endpoint, queueARN: endpoint };
  const resolved = await resolveReference(spec, references.current, QUEUE_ENDPOINT, references.lookup, queueName);
  return { ...resolved, endpoint: resolved.endpoint ?? resolved.queueARN };
}

async function resolveReferences(ctx: KindContext, spec: Spec, references: References): Promise<Spec> {
  const { identity, lookup, current } = references;
  const topicName: NameOfArn = async (arn) => siblingName((await topicTags(ctx, arn)) ?? {}, identity);
  const queueName: NameOfArn = async (arn) => siblingName((await queueTagsOf(ctx, arn)) ?? {}, identity);
  let resolved = await resolveReference(spec, current, TOPIC, lookup, topicName);
  if (resolved.protocol === 'sqs') resolved = await resolveQueueEndpoint(resolved, references, queueName);
  const dlq = resolved.deadLetterQueue;
  if (dlq) resolved = { ...resolved, deadLetterQueue: await resolveReference(dlq, current?.deadLetterQueue, DEAD_LETTER_QUEUE, lookup, queueName) };
  return resolved;
}

const snsSubscription: KindDefinition<SNSSubscriptionSpec> = {
  names: { kind: 'SNSSubscription', plural: 'snssubscriptions', singular: 'snssubscription', shortNames: ['subscription'] },
  description: 'A subscription of an SNS topic in the AWS account. Creating, changing or deleting this object does the same to the subscription before the call returns.',
  specSchema: snsSubscriptionSpecSchema,
  statusSchema: snsSubscriptionStatusSchema,
  outputSchema: snsSubscriptionOutputSchema,
  columns: [
    { name: 'Topic', type: 'string', description: 'The SNSTopic object (or the topic ARN).', jsonPath: '.spec.topicName', priority: 0 },
    { name: 'Protocol', type: 'string', description: 'Delivery protocol.', jsonPath: '.spec.protocol', priority: 0 },
    { name: 'Endpoint', type: 'string', description: 'Where messages go.', jsonPath: '.spec.endpoint', priority: 0 },
    { name: 'Pending', type: 'boolean', description: 'Waiting for the endpoint to confirm.', jsonPath: '.status.pendingConfirmation', priority: 0 },
    { name: 'ARN', type: 'string', description: 'Subscription ARN.', jsonPath: '.status.arn', priority: 1 },
    { name: 'Topic ARN', type: 'string', description: 'Topic ARN.', jsonPath: '.status.topicARN', priority: 1 },
  ],
  immutableFields: ['topicName', 'topicARN', 'protocol', 'endpoint', 'queueARN'],
  tagLimit: 50,
  notAdoptable: "a subscription's Kubernetes metadata lives in an SSM parameter only the server makes, so one it did not make cannot be taken over; a subscription SNS already has is refused as on any create",
  awsErrorCodes: { notFound: ['ParameterNotFound'], inUse: ['ParameterAlreadyExists'] },
  canonicalSpec,
  validate: validateSpec,
  resolveReferences,
  changeEventServices: ['sns', 'ssm'],
  aws: snsSubscriptionAws,
};

export default snsSubscription;
