// S3Bucket: an S3 bucket. The original operator's manifests (versioning, accessControl, website,
// logging) apply unchanged; its outputs (bucketName, bucketARN, region, bucketURL, websiteURL) are in
// `output` and the ConfigMap. A bucket that holds objects is never emptied: deleting it is a 409.
import type { KindDefinition } from '../../registry/kind.js';
import { s3BucketAws } from './aws.js';
import { s3BucketOutputSchema, s3BucketSpecSchema, s3BucketStatusSchema } from './schema.js';
import { canonicalSpec, validateSpec, type S3BucketSpec } from './spec.js';

const s3Bucket: KindDefinition<S3BucketSpec> = {
  names: { kind: 'S3Bucket', plural: 's3buckets', singular: 's3bucket', shortNames: ['s3', 'bucket', 'buckets'] },
  description: 'An S3 bucket in the AWS account. Creating, changing or deleting this object does the same to the bucket before the call returns; a bucket holding objects is never emptied.',
  specSchema: s3BucketSpecSchema,
  statusSchema: s3BucketStatusSchema,
  outputSchema: s3BucketOutputSchema,
  columns: [
    { name: 'Bucket', type: 'string', description: 'Physical bucket name.', jsonPath: '.status.bucketName', priority: 0 },
    { name: 'Region', type: 'string', description: 'AWS region.', jsonPath: '.status.region', priority: 0 },
    { name: 'Versioning', type: 'boolean', description: 'Whether versioning is on.', jsonPath: '.spec.versioning', priority: 0 },
    { name: 'Access', type: 'string', description: 'Canned ACL.', jsonPath: '.spec.accessControl', priority: 1 },
    { name: 'Website', type: 'string', description: 'Website URL, when hosting is on.', jsonPath: '.status.websiteURL', priority: 1 },
    { name: 'ARN', type: 'string', description: 'Bucket ARN.', jsonPath: '.status.arn', priority: 1 },
  ],
  immutableFields: ['bucketName', 'region'],
  tagLimit: 50,
  awsErrorCodes: {
    notFound: ['NoSuchBucket'],
    inUse: ['BucketAlreadyExists', 'BucketAlreadyOwnedByYou', 'BucketNotEmpty', 'OperationAborted'],
    invalid: ['InvalidBucketName', 'MalformedPolicy', 'InvalidTargetBucketForLogging', 'InvalidBucketAclWithObjectOwnership', 'InvalidBucketAclWithBlockPublicAccessError', 'AccessControlListNotSupported'],
  },
  canonicalSpec,
  validate: validateSpec,
  changeEventServices: ['s3'],
  aws: s3BucketAws,
};

export default s3Bucket;
