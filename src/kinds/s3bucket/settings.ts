// Translations between the S3Bucket spec and S3's own shapes (ACL grants, lifecycle and CORS rules,
// encryption rules), and the bucket policy statements the server manages for a spec.
import type { BucketLifecycleConfiguration, CORSRule, Grant, LifecycleRule as AwsLifecycleRule, ServerSideEncryptionRule } from '@aws-sdk/client-s3';
import { managedSid, type Statement } from '../../aws/policy-statements.js';
import type { AccessControl, CorsRule, LifecycleRule, S3BucketSpec } from './spec.js';
import { bucketArn } from './urls.js';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';
/** The canonical user id S3 grants READ to for the aws-exec-read canned ACL. */
const EC2_BUNDLE_READER = '6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c';

export const CANNED_ACL: Record<AccessControl, string> = {
  Private: 'private',
  PublicRead: 'public-read',
  PublicReadWrite: 'public-read-write',
  AuthenticatedRead: 'authenticated-read',
  LogDeliveryWrite: 'log-delivery-write',
  BucketOwnerRead: 'bucket-owner-read',
  BucketOwnerFullControl: 'bucket-owner-full-control',
  AwsExecRead: 'aws-exec-read',
};

/** The canned ACL that a bucket's grants amount to. */
export function accessControlOf(grants: Grant[] | undefined): AccessControl {
  const has = (grantee: string, permission: string) => (grants ?? []).some((g) => (g.Grantee?.URI === grantee || g.Grantee?.ID === grantee) && g.Permission === permission);
  if (has(ALL_USERS, 'READ')) return has(ALL_USERS, 'WRITE') ? 'PublicReadWrite' : 'PublicRead';
  if (has(AUTHENTICATED_USERS, 'READ')) return 'AuthenticatedRead';
  if (has(LOG_DELIVERY, 'WRITE')) return 'LogDeliveryWrite';
  if (has(EC2_BUNDLE_READER, 'READ')) return 'AwsExecRead';
  return 'Private';
}

export function lifecycleToAws(rules: LifecycleRule[]): BucketLifecycleConfiguration {
  return {
    Rules: rules.map((rule) => ({
      ID: rule.id,
      Status: rule.enabled ? 'Enabled' : 'Disabled',
      Filter: { Prefix: rule.prefix ?? '' },
      ...(rule.expirationDays !== undefined ? { Expiration: { Days: rule.expirationDays } } : {}),
      ...(rule.noncurrentVersionExpirationDays !== undefined ? { NoncurrentVersionExpiration: { NoncurrentDays: rule.noncurrentVersionExpirationDays } } : {}),
      ...(rule.abortIncompleteMultipartUploadDays !== undefined ? { AbortIncompleteMultipartUpload: { DaysAfterInitiation: rule.abortIncompleteMultipartUploadDays } } : {}),
      ...(rule.transitions ? { Transitions: rule.transitions.map((t) => ({ Days: t.days, StorageClass: t.storageClass as 'GLACIER' })) } : {}),
    })),
  };
}

export function lifecycleFromAws(rules: AwsLifecycleRule[] | undefined): LifecycleRule[] | undefined {
  const mapped = (rules ?? []).map((rule) => {
    const prefix = rule.Filter?.Prefix ?? rule.Prefix;
    const transitions = (rule.Transitions ?? []).map((t) => ({ days: t.Days ?? 0, storageClass: t.StorageClass as string })).sort((a, b) => a.days - b.days);
    return {
      id: rule.ID ?? '',
      enabled: rule.Status === 'Enabled',
      ...(prefix ? { prefix } : {}),
      ...(rule.Expiration?.Days !== undefined ? { expirationDays: rule.Expiration.Days } : {}),
      ...(rule.NoncurrentVersionExpiration?.NoncurrentDays !== undefined ? { noncurrentVersionExpirationDays: rule.NoncurrentVersionExpiration.NoncurrentDays } : {}),
      ...(rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation !== undefined ? { abortIncompleteMultipartUploadDays: rule.AbortIncompleteMultipartUpload.DaysAfterInitiation } : {}),
      ...(transitions.length ? { transitions } : {}),
    };
  });
  return mapped.length ? mapped.sort((a, b) => a.id.localeCompare(b.id)) : undefined;
}

export function corsToAws(rules: CorsRule[]): CORSRule[] {
  return rules.map((rule) => ({
    AllowedOrigins: rule.allowedOrigins,
    AllowedMethods: rule.allowedMethods,
    ...(rule.allowedHeaders ? { AllowedHeaders: rule.allowedHeaders } : {}),
    ...(rule.exposeHeaders ? { ExposeHeaders: rule.exposeHeaders } : {}),
    ...(rule.maxAgeSeconds !== undefined ? { MaxAgeSeconds: rule.maxAgeSeconds } : {}),
  }));
}

export function corsFromAws(rules: CORSRule[] | undefined): CorsRule[] | undefined {
  const mapped = (rules ?? []).map((rule) => ({
    allowedOrigins: rule.AllowedOrigins ?? [],
    allowedMethods: rule.AllowedMethods ?? [],
    ...(rule.AllowedHeaders?.length ? { allowedHeaders: rule.AllowedHeaders } : {}),
    ...(rule.ExposeHeaders?.length ? { exposeHeaders: rule.ExposeHeaders } : {}),
    ...(rule.MaxAgeSeconds !== undefined ? { maxAgeSeconds: rule.MaxAgeSeconds } : {}),
  }));
  return mapped.length ? mapped : undefined;
}

export function encryptionToAws(encryption: S3BucketSpec['encryption']): ServerSideEncryptionRule {
  return encryption.type === 'KMS'
    ? { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', ...(encryption.kmsKeyId ? { KMSMasterKeyID: encryption.kmsKeyId } : {}) }, BucketKeyEnabled: encryption.bucketKeyEnabled }
    : { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: encryption.bucketKeyEnabled };
}

/** No rule means S3's default since 2023: SSE-S3. */
export function encryptionFromAws(rule: ServerSideEncryptionRule | undefined): S3BucketSpec['encryption'] {
  const byDefault = rule?.ApplyServerSideEncryptionByDefault;
  const bucketKeyEnabled = rule?.BucketKeyEnabled ?? false;
  if (byDefault?.SSEAlgorithm === 'aws:kms') return { type: 'KMS', ...(byDefault.KMSMasterKeyID ? { kmsKeyId: byDefault.KMSMasterKeyID } : {}), bucketKeyEnabled };
  return { type: 'AES256', bucketKeyEnabled };
}

export const WEBSITE_SID = managedSid('WebsitePublicRead');
const LOG_DELIVERY_SID = managedSid('LogDelivery');

/** The statements the server adds to the bucket policy for a spec: website public read, log delivery. */
export function managedStatements(spec: S3BucketSpec, name: string, region: string, account: string): Statement[] {
  const objects = `${bucketArn(name, region)}/`;
  const website = spec.website.enabled && spec.website.publicRead
    ? [{ Sid: WEBSITE_SID, Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${objects}*` }]
    : [];
  const logs = spec.logging.enabled && !spec.logging.targetBucket
    ? [{ Sid: LOG_DELIVERY_SID, Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Resource: `${objects}${spec.logging.prefix ?? ''}*`, Condition: { StringEquals: { 'aws:SourceAccount': account } } }]
    : [];
  return [...website, ...logs];
}
