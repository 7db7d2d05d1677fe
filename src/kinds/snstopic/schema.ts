// The SNSTopic spec: the original operator had none (its manifests say `spec:` with nothing under it);
// these are the topic settings today's peers expose. Descriptions are what `kubectl explain` prints.
import type { Schema } from '../../api/schema.js';
import { outputSchema, policyDocument, stringProperties } from '../common/schemas.js';

export const snsTopicSpecSchema: Schema = {
  type: 'object',
  description: 'The desired SNS topic. Every field is optional. GET shows what AWS has.',
  properties: {
    topicName: {
      type: 'string',
      minLength: 1,
      maxLength: 256,
      pattern: '^[A-Za-z0-9_-]+(\\.fifo)?$',
      description:
        'Physical topic name: letters, digits, "-" and "_", and ".fifo" at the end for FIFO topics. Defaults to "<cluster>_<namespace>_<name>" (plus ".fifo"), so namespaces and clusters sharing an account never collide. Cannot be changed.',
    },
    displayName: { type: 'string', maxLength: 100, description: 'Display name, used as the sender name of SMS and email messages.' },
    fifoTopic: { type: 'boolean', description: 'A FIFO topic (strict ordering, deduplication; delivers to FIFO queues only). Default: true when topicName ends in ".fifo", else false. Cannot be changed.' },
    contentBasedDeduplication: { type: 'boolean', description: 'FIFO topics only: deduplicate by a hash of the message body. Default false.' },
    kmsMasterKeyId: { type: 'string', description: 'Server-side encryption with this KMS key (ID, alias such as "alias/aws/sns", or ARN). Omitted: not encrypted.' },
    policy: policyDocument('The topic\'s access policy. Omitted: the default policy AWS gives every topic (only this account may use it).'),
    deliveryPolicy: policyDocument('Retry policy for HTTP/S deliveries (AWS\'s DeliveryPolicy JSON). Omitted: AWS\'s defaults.'),
  },
};

export const snsTopicStatusSchema: Schema = {
  type: 'object',
  properties: {
    ...stringProperties({ arn: 'The topic ARN.', topicARN: 'The topic ARN (the original operator\'s output name).', topicName: 'The physical topic name.' }),
    subscriptionsConfirmed: { type: 'integer', description: 'Confirmed subscriptions of the topic, as SNS counts them.' },
    subscriptionsPending: { type: 'integer', description: 'Subscriptions waiting for their endpoint to confirm.' },
  },
};

export const snsTopicOutputSchema = outputSchema({ topicARN: 'Topic ARN, to publish to.' });
