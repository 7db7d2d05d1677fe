// The DynamoDB spec: the original operator's fields (hashAttribute, rangeAttribute, read/write capacity)
// plus what users of today's peers set most. Descriptions are what `kubectl explain` prints.
import type { Schema } from '../../api/schema.js';
import { outputSchema, stringProperties } from '../common/schemas.js';

const keyAttribute = (what: string): Schema => ({
  type: 'object',
  description: `The ${what} key attribute.`,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 255, description: 'Attribute name.' },
    type: { type: 'string', enum: ['S', 'N', 'B'], description: 'Attribute type: S (string, the default), N (number) or B (binary).' },
  },
});

const capacity = (what: string): Schema => ({
  type: 'integer',
  minimum: 1,
  description: `Provisioned ${what} capacity units (billingMode PROVISIONED only).`,
});

const globalSecondaryIndex: Schema = {
  type: 'object',
  required: ['indexName', 'hashAttribute'],
  properties: {
    indexName: { type: 'string', minLength: 3, maxLength: 255, pattern: '^[a-zA-Z0-9_.-]+$', description: 'Index name, unique within the table. Cannot be changed.' },
    hashAttribute: keyAttribute('index partition (hash)'),
    rangeAttribute: keyAttribute('index sort (range)'),
    projection: {
      type: 'object',
      description: 'Attributes copied into the index. Cannot be changed after the index is created.',
      properties: {
        type: { type: 'string', enum: ['ALL', 'KEYS_ONLY', 'INCLUDE'], description: 'ALL (default), KEYS_ONLY, or INCLUDE with nonKeyAttributes.' },
        nonKeyAttributes: { type: 'array', items: { type: 'string' }, maxItems: 100, description: 'For INCLUDE: the attributes to project.' },
      },
    },
    readCapacityUnits: capacity('read'),
    writeCapacityUnits: capacity('write'),
  },
};

export const dynamoDBSpecSchema: Schema = {
  type: 'object',
  description: 'The desired DynamoDB table. GET shows what AWS has.',
  required: ['hashAttribute'],
  properties: {
    tableName: {
      type: 'string',
      minLength: 3,
      maxLength: 255,
      pattern: '^[a-zA-Z0-9_.-]+$',
      description:
        'Physical table name. Defaults to "<cluster>.<namespace>.<name>" so that namespaces and clusters sharing an account never collide. Cannot be changed.',
    },
    hashAttribute: keyAttribute('partition (hash)'),
    rangeAttribute: keyAttribute('sort (range)'),
    billingMode: {
      type: 'string',
      enum: ['PROVISIONED', 'PAY_PER_REQUEST'],
      description: 'PROVISIONED (needs read/write capacity) or PAY_PER_REQUEST (on demand). Defaults to PROVISIONED when capacities are given, else PAY_PER_REQUEST.',
    },
    readCapacityUnits: capacity('read'),
    writeCapacityUnits: capacity('write'),
    tableClass: { type: 'string', enum: ['STANDARD', 'STANDARD_INFREQUENT_ACCESS'], description: 'Table class. Default STANDARD.' },
    globalSecondaryIndexes: {
      type: 'array',
      maxItems: 20,
      description: 'Global secondary indexes. One index can be added or removed per update (an AWS rule).',
      items: globalSecondaryIndex,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['indexName'],
    },
    stream: {
      type: 'object',
      description: 'DynamoDB Streams.',
      properties: {
        enabled: { type: 'boolean', description: 'Whether item changes are written to a stream. Default false.' },
        viewType: { type: 'string', enum: ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'], description: 'What each stream record holds. Default NEW_AND_OLD_IMAGES.' },
      },
    },
    serverSideEncryption: {
      type: 'object',
      description: 'Encryption at rest. Disabled means the AWS owned key (DynamoDB always encrypts); enabled means KMS.',
      properties: {
        enabled: { type: 'boolean', description: 'Use a KMS key (the AWS managed key unless kmsKeyId is set). Default false.' },
        kmsKeyId: { type: 'string', description: 'ARN of a customer managed KMS key.' },
      },
    },
    timeToLive: {
      type: 'object',
      description: 'Expire items by a timestamp attribute.',
      properties: {
        enabled: { type: 'boolean', description: 'Default false.' },
        attributeName: { type: 'string', minLength: 1, maxLength: 255, description: 'The attribute holding the expiry time (epoch seconds).' },
      },
    },
    pointInTimeRecovery: { type: 'boolean', description: 'Continuous backups with point-in-time recovery. Default false.' },
    deletionProtection: { type: 'boolean', description: 'When true, AWS refuses to delete the table (and so does kubectl delete). Default false.' },
  },
};

export const dynamoDBStatusSchema: Schema = {
  type: 'object',
  properties: stringProperties({
    arn: 'The table ARN.',
    tableName: 'The physical table name.',
    tableStatus: 'AWS table status: CREATING, ACTIVE, UPDATING, DELETING, ...',
    tableId: 'The table ID AWS assigned.',
    latestStreamArn: 'ARN of the current stream, when streams are enabled.',
  }),
};

export const dynamoDBOutputSchema = outputSchema({ tableName: 'Physical table name.', tableARN: 'Table ARN.', region: 'AWS region of the table.' });
