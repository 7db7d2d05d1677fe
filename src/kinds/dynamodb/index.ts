// DynamoDB: a DynamoDB table. Compatible with the original operator's manifests (hashAttribute,
// rangeAttribute, readCapacityUnits, writeCapacityUnits) and its outputs (tableName, tableARN, region).
import type { KindDefinition } from '../../registry/kind.js';
import { dynamoDBAws } from './aws.js';
import { dynamoDBOutputSchema, dynamoDBSpecSchema, dynamoDBStatusSchema } from './schema.js';
import { canonicalSpec, validateSpec, validateUpdate, type DynamoDBSpec } from './spec.js';

const dynamoDB: KindDefinition<DynamoDBSpec> = {
  names: { kind: 'DynamoDB', plural: 'dynamodbs', singular: 'dynamodb', shortNames: ['ddb', 'ddbs', 'dynamo', 'dynamotable', 'dynamotables'] },
  description: 'A DynamoDB table in the AWS account. Creating, changing or deleting this object does the same to the table before the call returns.',
  specSchema: dynamoDBSpecSchema,
  statusSchema: dynamoDBStatusSchema,
  outputSchema: dynamoDBOutputSchema,
  columns: [
    { name: 'Table', type: 'string', description: 'Physical table name.', jsonPath: '.status.tableName', priority: 0 },
    { name: 'Status', type: 'string', description: 'AWS table status.', jsonPath: '.status.tableStatus', priority: 0 },
    { name: 'Billing', type: 'string', description: 'Billing mode.', jsonPath: '.spec.billingMode', priority: 0 },
    { name: 'ARN', type: 'string', description: 'Table ARN.', jsonPath: '.status.arn', priority: 1 },
    { name: 'Read', type: 'integer', description: 'Provisioned read capacity units.', jsonPath: '.spec.readCapacityUnits', priority: 1 },
    { name: 'Write', type: 'integer', description: 'Provisioned write capacity units.', jsonPath: '.spec.writeCapacityUnits', priority: 1 },
  ],
  immutableFields: ['tableName', 'hashAttribute', 'rangeAttribute'],
  tagLimit: 50,
  awsErrorCodes: { notFound: ['TableNotFoundException'], inUse: ['ConditionalCheckFailedException', 'TransactionConflictException'] },
  canonicalSpec,
  validate: validateSpec,
  validateUpdate,
  changeEventServices: ['dynamodb'],
  aws: dynamoDBAws,
};

export default dynamoDB;
