// The SQSQueue spec: the original operator's fields (with its `usedeadletterQueue` spelling) plus every
// queue attribute, redrive to another queue, encryption and policy. Descriptions are what `kubectl
// explain` prints.
import type { Schema } from '../../api/schema.js';
import { outputSchema, policyDocument, stringProperties } from '../common/schemas.js';

const seconds = (what: string, max: number, byDefault: number): Schema => ({
  type: 'integer',
  minimum: 0,
  maximum: max,
  description: `${what} (0 to ${max} seconds). Default ${byDefault}.`,
});

export const sqsQueueSpecSchema: Schema = {
  type: 'object',
  description: 'The desired SQS queue. Every field is optional. GET shows what AWS has.',
  properties: {
    queueName: {
      type: 'string',
      minLength: 1,
      maxLength: 80,
      pattern: '^[A-Za-z0-9_-]+(\\.fifo)?$',
      description:
        'Physical queue name: letters, digits, "-" and "_", and ".fifo" at the end for FIFO queues. Defaults to "<cluster>_<namespace>_<name>" (plus ".fifo"), so namespaces and clusters sharing an account never collide. Cannot be changed.',
    },
    fifoQueue: { type: 'boolean', description: 'A FIFO queue (exactly-once, ordered). Default: true when queueName ends in ".fifo", else false. Cannot be changed.' },
    contentBasedDeduplication: { type: 'boolean', description: 'FIFO queues only: deduplicate by a hash of the body. Default false. Ignored on standard queues (the original operator\'s examples set it there).' },
    deduplicationScope: { type: 'string', enum: ['messageGroup', 'queue'], description: 'FIFO queues only: deduplicate per message group or per queue (default).' },
    fifoThroughputLimit: { type: 'string', enum: ['perQueue', 'perMessageGroupId'], description: 'FIFO queues only: throughput quota per queue (default) or per message group (high throughput mode).' },
    delaySeconds: { type: 'integer', minimum: 0, maximum: 900, description: 'Delay before a new message can be received (0 to 900 seconds). Default 0.' },
    maximumMessageSize: { type: 'integer', minimum: 1024, maximum: 1048576, description: 'Largest message in bytes (1024 to 1048576). Default 1048576.' },
    messageRetentionPeriod: { type: 'integer', minimum: 60, maximum: 1209600, description: 'How long messages are kept (60 to 1209600 seconds). Default 345600 (4 days).' },
    receiveMessageWaitTimeSeconds: seconds('Long polling wait of ReceiveMessage', 20, 0),
    visibilityTimeout: seconds('How long a received message stays hidden from other consumers', 43200, 30),
    usedeadletterQueue: {
      type: 'boolean',
      description:
        'The original operator\'s switch: when true the server makes a dead-letter queue named "<queueName>-dlq" with this object, deletes it with this object, and redrives after deadLetterQueue.maxReceiveCount (default 5) receives. Default false.',
    },
    deadLetterQueue: {
      type: 'object',
      description: 'Redrive to a dead-letter queue: another SQSQueue object of this namespace (name) or a queue ARN (arn; not one managed for another namespace). The server fills in the other of the two.',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 253, description: 'Name of an SQSQueue object in this namespace (its metadata.name).' },
        arn: { type: 'string', pattern: '^arn:', description: 'ARN of the dead-letter queue.' },
        maxReceiveCount: { type: 'integer', minimum: 1, maximum: 1000, description: 'Receives after which a message moves to the dead-letter queue. Default 5.' },
      },
    },
    encryption: {
      type: 'object',
      description: 'Server-side encryption at rest.',
      properties: {
        type: { type: 'string', enum: ['SQS', 'KMS', 'None'], description: 'SQS (SQS-managed keys, the default), KMS (a KMS key) or None.' },
        kmsKeyId: { type: 'string', description: 'For KMS: key ID, alias (e.g. "alias/aws/sqs") or ARN.' },
        kmsDataKeyReusePeriodSeconds: { type: 'integer', minimum: 60, maximum: 86400, description: 'For KMS: how long a data key is reused (60 to 86400 seconds). Default 300.' },
      },
    },
    policy: policyDocument('The queue\'s access policy. Statements the server adds so that SNS subscriptions can deliver are kept apart and not shown here.'),
  },
};

const QUEUE_OUTPUTS = {
  queueURL: 'The queue URL, to send and receive.',
  queueARN: 'The queue ARN.',
  queueName: 'The physical queue name.',
  deadLetterQueueURL: 'URL of the dead-letter queue, when there is one.',
  deadLetterQueueARN: 'ARN of the dead-letter queue, when there is one.',
  deadLetterQueueName: 'Name of the dead-letter queue, when there is one.',
};

export const sqsQueueStatusSchema: Schema = {
  type: 'object',
  properties: {
    ...stringProperties({ arn: 'The queue ARN.', ...QUEUE_OUTPUTS }),
    topicsAllowed: { type: 'array', items: { type: 'string' }, description: 'SNS topics the server let send to this queue, for SNSSubscription objects.' },
  },
};

export const sqsQueueOutputSchema = outputSchema(QUEUE_OUTPUTS, ' The dead-letter keys are empty when there is no dead-letter queue.');
