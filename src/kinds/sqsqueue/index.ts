// SQSQueue: an SQS queue, standard or FIFO. The original operator's manifests apply unchanged (including
// `usedeadletterQueue`); its outputs (queue and dead-letter queue URL, ARN, name) are in `output` and the
// ConfigMap. A dead-letter queue can also be another SQSQueue object of the namespace, by name.
import { queueTagsOf } from '../../aws/sqs.js';
import type { KindContext, KindDefinition, ReferenceContext } from '../../registry/kind.js';
import { resolveReference, siblingName } from '../../registry/references.js';
import { sqsQueueAws } from './aws.js';
import { sqsQueueOutputSchema, sqsQueueSpecSchema, sqsQueueStatusSchema } from './schema.js';
import { canonicalSpec, validateSpec, type SQSQueueSpec } from './spec.js';

const DEAD_LETTER_QUEUE = { path: 'spec.deadLetterQueue', nameKey: 'name', arnKey: 'arn', plural: 'sqsqueues', kind: 'SQSQueue' };

async function resolveReferences(ctx: KindContext, spec: SQSQueueSpec, { identity, lookup, current }: ReferenceContext<SQSQueueSpec>): Promise<SQSQueueSpec> {
  const dlq = spec.deadLetterQueue;
  if (!dlq || spec.usedeadletterQueue) return spec;
  const nameOfArn = async (arn: string) => siblingName((await queueTagsOf(ctx, arn)) ?? {}, identity);
  return { ...spec, deadLetterQueue: await resolveReference(dlq, current?.deadLetterQueue, DEAD_LETTER_QUEUE, lookup, nameOfArn) };
}

const sqsQueue: KindDefinition<SQSQueueSpec> = {
  names: { kind: 'SQSQueue', plural: 'sqsqueues', singular: 'sqsqueue', shortNames: ['sqs', 'queue', 'queues'] },
  description: 'An SQS queue in the AWS account. Creating, changing or deleting this object does the same to the queue before the call returns.',
  specSchema: sqsQueueSpecSchema,
  statusSchema: sqsQueueStatusSchema,
  outputSchema: sqsQueueOutputSchema,
  columns: [
    { name: 'Queue', type: 'string', description: 'Physical queue name.', jsonPath: '.status.queueName', priority: 0 },
    { name: 'FIFO', type: 'boolean', description: 'Whether the queue is FIFO.', jsonPath: '.spec.fifoQueue', priority: 0 },
    { name: 'Visibility', type: 'integer', description: 'Visibility timeout in seconds.', jsonPath: '.spec.visibilityTimeout', priority: 0 },
    { name: 'DLQ', type: 'string', description: 'Dead-letter queue name.', jsonPath: '.status.deadLetterQueueName', priority: 0 },
    { name: 'URL', type: 'string', description: 'Queue URL.', jsonPath: '.status.queueURL', priority: 1 },
    { name: 'ARN', type: 'string', description: 'Queue ARN.', jsonPath: '.status.arn', priority: 1 },
    { name: 'Encryption', type: 'string', description: 'Server-side encryption.', jsonPath: '.spec.encryption.type', priority: 1 },
  ],
  immutableFields: ['queueName', 'fifoQueue'],
  tagLimit: 50,
  awsErrorCodes: {
    notFound: ['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'],
    inUse: ['QueueNameExists', 'QueueAlreadyExists', 'QueueDeletedRecently', 'AWS.SimpleQueueService.QueueDeletedRecently'],
    invalid: ['InvalidAttributeName', 'InvalidAttributeValue'],
  },
  canonicalSpec,
  validate: validateSpec,
  resolveReferences,
  changeEventServices: ['sqs'],
  aws: sqsQueueAws,
};

export default sqsQueue;
