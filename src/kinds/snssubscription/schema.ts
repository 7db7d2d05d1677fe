// The SNSSubscription spec: the original operator's fields (topicName, protocol, endpoint, queueURL) plus
// filter policy, raw delivery and redrive. Descriptions are what `kubectl explain` prints.
import type { Schema } from '../../api/schema.js';
import { outputSchema, policyDocument, stringProperties } from '../common/schemas.js';
import { PROTOCOLS } from './spec.js';

export const snsSubscriptionSpecSchema: Schema = {
  type: 'object',
  description: 'The desired SNS subscription. The topic, protocol and endpoint cannot change (SNS has no way to); the other settings can.',
  required: ['protocol', 'endpoint'],
  properties: {
    topicName: { type: 'string', minLength: 1, maxLength: 253, description: 'Name of the SNSTopic object (its metadata.name) in this namespace, as in the original operator. Or use topicARN. Cannot be changed.' },
    topicARN: { type: 'string', pattern: '^arn:', description: 'ARN of the topic; the server fills it in from topicName. Cannot be changed.' },
    protocol: { type: 'string', enum: PROTOCOLS, description: 'Delivery protocol: sqs, http, https, email, email-json, sms, application, lambda or firehose. Cannot be changed.' },
    endpoint: {
      type: 'string',
      minLength: 1,
      description:
        'Where messages go. For protocol sqs: the name of an SQSQueue object in this namespace (as in the original operator) or a queue ARN; the server also lets the topic send to that queue. Otherwise AWS\'s endpoint: URL, email address, phone number, or ARN. Cannot be changed.',
    },
    queueARN: { type: 'string', pattern: '^arn:', description: 'For protocol sqs: the ARN of the queue the endpoint names; filled in by the server.' },
    queueURL: { type: 'string', description: 'Accepted for compatibility with the original operator, which ignored it too.' },
    rawMessageDelivery: { type: 'boolean', description: 'Deliver the message body as is, without SNS\'s JSON envelope (sqs, http/s, firehose). Default false.' },
    filterPolicy: policyDocument('Only messages matching this filter policy are delivered. Omitted: all messages.'),
    filterPolicyScope: { type: 'string', enum: ['MessageAttributes', 'MessageBody'], description: 'What filterPolicy matches: message attributes (default) or the body.' },
    deadLetterQueue: {
      type: 'object',
      description: 'Where SNS puts messages it could not deliver: an SQSQueue object of this namespace (name) or a queue ARN (arn). The server lets the topic send to it.',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 253, description: 'Name of an SQSQueue object in this namespace.' },
        arn: { type: 'string', pattern: '^arn:', description: 'ARN of the queue; filled in from name.' },
      },
    },
    subscriptionRoleArn: { type: 'string', pattern: '^arn:', description: 'For protocol firehose: the IAM role SNS assumes to write to the stream.' },
  },
};

export const snsSubscriptionStatusSchema: Schema = {
  type: 'object',
  properties: {
    ...stringProperties({
      arn: 'The subscription ARN.',
      subscriptionARN: 'The subscription ARN (the original operator\'s output name).',
      topicARN: 'The topic\'s ARN.',
      endpoint: 'The endpoint as SNS has it (a queue ARN for sqs).',
      metadataParameter: 'The SSM parameter that holds this object\'s metadata and tags (subscriptions cannot be tagged).',
    }),
    pendingConfirmation: { type: 'boolean', description: 'True until the endpoint owner confirms the subscription (http/s, email, ...).' },
  },
};

export const snsSubscriptionOutputSchema = outputSchema({ subscriptionARN: 'Subscription ARN.' });
