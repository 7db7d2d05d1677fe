// The table of kinds: every kind this server serves, one line each. Everything that has to list every
// kind is derived from it: discovery and OpenAPI (the server), the AWS error codes the server knows,
// the aggregated RBAC roles in deploy/ and the Helm chart, and the kinds tables in README.md and
// docs/kinds.md (`npm run generate` writes those files; test/integration/generated-files.test.ts
// fails when they differ from this table).
//
// `writers` is the aggregated role that may write objects of the kind: `edit` for resources of one
// service, `admin` where an object can make any AWS resource the server's identity may (a stack).
import type { KindDefinition } from '../registry/kind.js';
import cloudFormationStack from './cloudformationstack/index.js';
import cloudFormationTemplate from './cloudformationtemplate/index.js';
import dynamoDB from './dynamodb/index.js';
import ecrRepository from './ecrrepository/index.js';
import elastiCache from './elasticache/index.js';
import s3Bucket from './s3bucket/index.js';
import snsSubscription from './snssubscription/index.js';
import snsTopic from './snstopic/index.js';
import sqsQueue from './sqsqueue/index.js';

export interface KindTableRow {
  kind: KindDefinition;
  /** What the kind stands for in AWS, and where an object's Kubernetes metadata lives (the docs' tables). */
  resource: string;
  metadataIn: string;
  writers: 'edit' | 'admin';
}

export const KIND_TABLE: readonly KindTableRow[] = [
  { kind: dynamoDB, resource: 'DynamoDB table', metadataIn: "the table's tags", writers: 'edit' },
  { kind: s3Bucket, resource: 'S3 bucket', metadataIn: "the bucket's tags", writers: 'edit' },
  { kind: sqsQueue, resource: 'SQS queue (standard or FIFO)', metadataIn: "the queue's tags", writers: 'edit' },
  { kind: snsTopic, resource: 'SNS topic', metadataIn: "the topic's tags", writers: 'edit' },
  { kind: snsSubscription, resource: 'SNS subscription', metadataIn: 'an SSM parameter', writers: 'edit' },
  { kind: ecrRepository, resource: 'ECR repository', metadataIn: "the repository's tags", writers: 'edit' },
  { kind: elastiCache, resource: 'ElastiCache cache cluster (redis or memcached)', metadataIn: "the cluster's tags", writers: 'edit' },
  { kind: cloudFormationTemplate, resource: 'a stored CloudFormation template (the server\'s private S3 bucket)', metadataIn: 'a document beside it in that bucket', writers: 'edit' },
  { kind: cloudFormationStack, resource: 'CloudFormation stack', metadataIn: "a document in the server's bucket (stack tags reach every resource)", writers: 'admin' },
];

export const KINDS: readonly KindDefinition[] = KIND_TABLE.map((row) => row.kind);
