// SNSTopic: an SNS topic. The original operator's manifests (`spec:` empty) apply unchanged; its output
// (topicARN) is in `output` and the ConfigMap.
import type { KindDefinition } from '../../registry/kind.js';
import { snsTopicAws } from './aws.js';
import { snsTopicOutputSchema, snsTopicSpecSchema, snsTopicStatusSchema } from './schema.js';
import { canonicalSpec, validateSpec, type SNSTopicSpec } from './spec.js';

const snsTopic: KindDefinition<SNSTopicSpec> = {
  names: { kind: 'SNSTopic', plural: 'snstopics', singular: 'snstopic', shortNames: ['sns', 'topic', 'topics'] },
  description: 'An SNS topic in the AWS account. Creating, changing or deleting this object does the same to the topic before the call returns.',
  specSchema: snsTopicSpecSchema,
  statusSchema: snsTopicStatusSchema,
  outputSchema: snsTopicOutputSchema,
  columns: [
    { name: 'Topic', type: 'string', description: 'Physical topic name.', jsonPath: '.status.topicName', priority: 0 },
    { name: 'FIFO', type: 'boolean', description: 'Whether the topic is FIFO.', jsonPath: '.spec.fifoTopic', priority: 0 },
    { name: 'Subscriptions', type: 'integer', description: 'Confirmed subscriptions.', jsonPath: '.status.subscriptionsConfirmed', priority: 0 },
    { name: 'ARN', type: 'string', description: 'Topic ARN.', jsonPath: '.status.arn', priority: 1 },
    { name: 'Display Name', type: 'string', description: 'Display name.', jsonPath: '.spec.displayName', priority: 1 },
  ],
  immutableFields: ['topicName', 'fifoTopic'],
  tagLimit: 50,
  canonicalSpec,
  validate: validateSpec,
  changeEventServices: ['sns'],
  aws: snsTopicAws,
};

export default snsTopic;
