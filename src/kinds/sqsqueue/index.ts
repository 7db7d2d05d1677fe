// SQSQueue: an SQS queue, standard or FIFO. The original operator's manifests apply unchanged (including
// `usedeadletterQueue`); its outputs (queue and dead-letter queue URL, ARN, name) are in `output` and the
// ConfigMap. A dead-letter queue can also be another SQSQueue object of the namespace, by name.
import { queueTagsOf } from '../../aws/sqs.js';
import type { KindContext, KindDefinition, ReferenceContext } from '../../registry/kind.js';
import { resolveReference, siblingName } from '../../registry/references.js';
import { sqsQueueAws } from './aws.js';
import { sqsQueueOutputSchema, sqsQueueSpecSchema, sqsQueueStatusSchema } from './schema.js';
import { canonicalSpec, defaultSpec, validateSpec } from './spec.js';

type Loose = Record<string, unknown>;

const DEAD_LETTER_QUEUE = { path: 'spec.deadLetterQueue', nameKey: 'name', arnKey: 'arn', plural: 'sqsqueues', kind: 'SQSQueue' };

async function resolveReferences(ctx: KindContext, spec: Loose, { identity, lookup, current }: ReferenceContext): Promise<Loose> {
  const dlq = spec.deadLetterQueue as Loose | undefined;
  if (!dlq || spec.usedeadletterQueue) return spec;
  const nameOfArn = async (arn: string) => siblingName((await queueTagsOf(ctx, arn)) ?? {}, identity);
  return { ...spec, deadLetterQueue: await resolveReference(dlq, current?.deadLetterQueue as Loose | undefined, DEAD_LETTER_QUEUE, lookup, nameOfArn) };
}

const sqsQueue: KindDefinition = {
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
  defaults: defaultSpec,
  canonicalSpec,
  validate: validateSpec,
  resolveReferences,
  aws: sqsQueueAws,
};

export default sqsQueue;
