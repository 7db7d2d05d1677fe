// The S3Bucket spec: the original operator's fields (versioning, accessControl, website, logging) plus
// what today's peers expose. Descriptions are what `kubectl explain` prints.
import type { Schema } from '../../api/schema.js';
import { outputSchema, policyDocument, stringProperties } from '../common/schemas.js';

const strings = (description: string): Schema => ({ type: 'array', items: { type: 'string' }, description });
const flag = (description: string): Schema => ({ type: 'boolean', description });

const lifecycleRule: Schema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 255, description: 'Unique rule name.' },
    enabled: flag('Whether the rule applies. Default true.'),
    prefix: { type: 'string', description: 'Only objects whose key starts with this. Omitted: all objects.' },
    expirationDays: { type: 'integer', minimum: 1, description: 'Delete (or, when versioned, hide behind a delete marker) objects this many days after creation.' },
    noncurrentVersionExpirationDays: { type: 'integer', minimum: 1, description: 'Delete old versions this many days after they stop being current.' },
    abortIncompleteMultipartUploadDays: { type: 'integer', minimum: 1, description: 'Abort multipart uploads not finished after this many days.' },
    transitions: {
      type: 'array',
      description: 'Move objects to cheaper storage classes.',
      items: {
        type: 'object',
        required: ['days', 'storageClass'],
        properties: {
          days: { type: 'integer', minimum: 0, description: 'Days after creation.' },
          storageClass: { type: 'string', enum: ['GLACIER', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'DEEP_ARCHIVE', 'GLACIER_IR'], description: 'Target storage class.' },
        },
      },
    },
  },
};

const corsRule: Schema = {
  type: 'object',
  required: ['allowedOrigins', 'allowedMethods'],
  properties: {
    allowedOrigins: strings('Origins allowed to make cross-origin requests, e.g. "https://example.com" or "*".'),
    allowedMethods: { type: 'array', items: { type: 'string', enum: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'] }, description: 'HTTP methods allowed.' },
    allowedHeaders: strings('Request headers allowed in a preflight.'),
    exposeHeaders: strings('Response headers the browser may read.'),
    maxAgeSeconds: { type: 'integer', minimum: 0, description: 'How long browsers cache the preflight answer.' },
  },
};

export const s3BucketSpecSchema: Schema = {
  type: 'object',
  description: 'The desired S3 bucket. Every field is optional. GET shows what AWS has. A bucket that holds objects is never emptied by a delete.',
  properties: {
    bucketName: {
      type: 'string',
      minLength: 3,
      maxLength: 63,
      description:
        'Physical bucket name, unique across all of AWS: 3 to 63 lowercase letters, digits, "." and "-". Defaults to "<cluster>-<namespace>-<name>-<hash>". Cannot be changed.',
    },
    region: { type: 'string', description: 'AWS region of the bucket: the server\'s region (the default); buckets elsewhere are not served. Cannot be changed.' },
    versioning: flag('Keep every version of every object. Turning it off suspends versioning (S3 cannot un-version a bucket). Default false.'),
    accessControl: {
      type: 'string',
      enum: ['Private', 'PublicRead', 'PublicReadWrite', 'AuthenticatedRead', 'LogDeliveryWrite', 'BucketOwnerRead', 'BucketOwnerFullControl', 'AwsExecRead'],
      description:
        'Canned ACL of the bucket, as in the original operator. Default Private (BucketOwnerRead and BucketOwnerFullControl mean the same on a bucket and show as Private). Public ACLs also unblock public ACLs in publicAccessBlock and enable ACLs (ownership ObjectWriter) unless those are set.',
    },
    website: {
      type: 'object',
      description: 'Static website hosting, as in the original operator.',
      properties: {
        enabled: flag('Serve the bucket as a website. Default false.'),
        indexPage: { type: 'string', description: 'Index document. Default index.html.' },
        errorPage: { type: 'string', description: 'Error document, e.g. 500.html.' },
        publicRead: flag('Let everyone read the objects (a bucket policy statement the server manages), as the original operator did. Default true when enabled.'),
      },
    },
    logging: {
      type: 'object',
      description: 'Server access logging, as in the original operator.',
      properties: {
        enabled: flag('Write access logs. Default false.'),
        prefix: { type: 'string', description: 'Key prefix of the log objects.' },
        targetBucket: {
          type: 'string',
          description: 'Bucket that receives the logs; its policy must let logging.s3.amazonaws.com put objects. Omitted: this bucket, whose policy the server extends for it (the original operator made a separate "<name>logging" bucket instead).',
        },
      },
    },
    encryption: {
      type: 'object',
      description: 'Default encryption of new objects.',
      properties: {
        type: { type: 'string', enum: ['AES256', 'KMS'], description: 'AES256 (S3-managed keys, the default) or KMS.' },
        kmsKeyId: { type: 'string', description: 'For KMS: key ID, alias or ARN. Omitted: the AWS managed key for S3.' },
        bucketKeyEnabled: flag('For KMS: use an S3 Bucket Key to cut KMS calls. Default false.'),
      },
    },
    publicAccessBlock: {
      type: 'object',
      description: 'Block Public Access. Default: everything blocked, except public ACLs when accessControl is public and public policies for a public website.',
      properties: {
        blockPublicAcls: flag('Refuse new public ACLs.'),
        ignorePublicAcls: flag('Ignore existing public ACLs.'),
        blockPublicPolicy: flag('Refuse public bucket policies.'),
        restrictPublicBuckets: flag('Restrict access to a bucket with a public policy to AWS services and this account.'),
      },
    },
    ownership: {
      type: 'string',
      enum: ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'],
      description: 'Object ownership. BucketOwnerEnforced (ACLs disabled) is the default, ObjectWriter when accessControl is not Private.',
    },
    lifecycleRules: { type: 'array', description: 'Lifecycle rules: expiration and transitions.', items: lifecycleRule, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id'] },
    cors: { type: 'array', description: 'CORS rules for browsers.', items: corsRule },
    policy: policyDocument('The bucket policy. Statements the server manages (website public read, log delivery) are kept apart and not shown here.'),
  },
};

export const s3BucketStatusSchema: Schema = {
  type: 'object',
  properties: stringProperties({
    arn: 'The bucket ARN.',
    bucketName: 'The physical bucket name.',
    region: 'The bucket\'s region.',
    bucketURL: 'Host name of the bucket\'s REST endpoint.',
    websiteURL: 'The website URL, when website hosting is enabled.',
  }),
};

export const s3BucketOutputSchema = outputSchema({
  bucketName: 'Physical bucket name.',
  bucketARN: 'Bucket ARN.',
  region: 'AWS region of the bucket.',
  bucketURL: 'Host name of the bucket: <name>.s3.<region>.amazonaws.com.',
  websiteURL: 'Website URL (serves only when website hosting is enabled).',
});
