// The S3Bucket spec in canonical form. Defaults follow the original operator where its fields ask for
// public access (a public-read ACL, a website), and AWS's secure defaults otherwise (public access
// blocked, ACLs disabled). Every setting is explicit, so rendered and desired specs compare equal
// exactly when AWS needs no change.
import { fieldError, type FieldError } from '../../api/errors.js';
import { SERVER_BUCKET_PREFIX } from '../../aws/server-bucket.js';

export type AccessControl = 'Private' | 'PublicRead' | 'PublicReadWrite' | 'AuthenticatedRead' | 'LogDeliveryWrite' | 'BucketOwnerRead' | 'BucketOwnerFullControl' | 'AwsExecRead';
export type Ownership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';

export interface PublicAccessBlock {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

export interface LifecycleRule {
  id: string;
  enabled: boolean;
  prefix?: string;
  expirationDays?: number;
  noncurrentVersionExpirationDays?: number;
  abortIncompleteMultipartUploadDays?: number;
  transitions?: { days: number; storageClass: string }[];
}

export interface CorsRule {
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders?: string[];
  exposeHeaders?: string[];
  maxAgeSeconds?: number;
}

export interface S3BucketSpec {
  bucketName?: string;
  region?: string;
  versioning: boolean;
  accessControl: AccessControl;
  website: { enabled: boolean; indexPage?: string; errorPage?: string; publicRead?: boolean };
  logging: { enabled: boolean; prefix?: string; targetBucket?: string };
  encryption: { type: 'AES256' | 'KMS'; kmsKeyId?: string; bucketKeyEnabled: boolean };
  publicAccessBlock: PublicAccessBlock;
  ownership: Ownership;
  lifecycleRules?: LifecycleRule[];
  cors?: CorsRule[];
  policy?: Record<string, unknown>;
}

/** A schema-valid spec as it arrives in a request. */
type Loose = Record<string, unknown>;

/** Canned ACLs that mean "only the owner" on a bucket (BucketOwner* only differ on objects). */
const OWNER_ONLY: AccessControl[] = ['Private', 'BucketOwnerRead', 'BucketOwnerFullControl'];
/** Canned ACLs granting to AllUsers or AuthenticatedUsers, which S3 calls public. */
export const PUBLIC_ACLS: AccessControl[] = ['PublicRead', 'PublicReadWrite', 'AuthenticatedRead'];

function website(value: unknown): S3BucketSpec['website'] {
  const w = (value ?? {}) as Loose;
  if (!w.enabled) return { enabled: false };
  return { enabled: true, indexPage: (w.indexPage as string | undefined) ?? 'index.html', ...(w.errorPage ? { errorPage: w.errorPage as string } : {}), publicRead: (w.publicRead as boolean | undefined) ?? true };
}

/** Logs go to the bucket itself unless another target is named (naming the bucket itself is the same). */
function logging(value: unknown, bucketName: unknown): S3BucketSpec['logging'] {
  const l = (value ?? {}) as Loose;
  if (!l.enabled) return { enabled: false };
  const elsewhere = l.targetBucket && l.targetBucket !== bucketName;
  return { enabled: true, prefix: (l.prefix as string | undefined) ?? '', ...(elsewhere ? { targetBucket: l.targetBucket as string } : {}) };
}

function encryption(value: unknown): S3BucketSpec['encryption'] {
  const e = (value ?? {}) as Loose;
  const type = (e.type as 'AES256' | 'KMS' | undefined) ?? 'AES256';
  // A key given with AES256 is kept so that validation can refuse it.
  return { type, ...(e.kmsKeyId !== undefined ? { kmsKeyId: e.kmsKeyId as string } : {}), bucketKeyEnabled: (e.bucketKeyEnabled as boolean | undefined) ?? false };
}

/** All blocked, except what the original operator's fields ask for: public ACLs, a public website. */
function publicAccessBlock(value: unknown, accessControl: AccessControl, site: S3BucketSpec['website']): PublicAccessBlock {
  const p = (value ?? {}) as Partial<PublicAccessBlock>;
  const publicAcl = PUBLIC_ACLS.includes(accessControl);
  const publicPolicy = site.enabled && site.publicRead === true;
  return {
    blockPublicAcls: p.blockPublicAcls ?? !publicAcl,
    ignorePublicAcls: p.ignorePublicAcls ?? !publicAcl,
    blockPublicPolicy: p.blockPublicPolicy ?? !publicPolicy,
    restrictPublicBuckets: p.restrictPublicBuckets ?? !publicPolicy,
  };
}

function lifecycleRule(value: Loose): LifecycleRule {
  const optional = ['prefix', 'expirationDays', 'noncurrentVersionExpirationDays', 'abortIncompleteMultipartUploadDays'].filter((key) => value[key] !== undefined && value[key] !== '');
  const transitions = value.transitions as LifecycleRule['transitions'];
  return {
    id: value.id as string,
    enabled: (value.enabled as boolean | undefined) ?? true,
    ...Object.fromEntries(optional.map((key) => [key, value[key]])),
    ...(transitions?.length ? { transitions: [...transitions].sort((a, b) => a.days - b.days) } : {}),
  };
}

function corsRule(value: Loose): CorsRule {
  const optional = ['allowedHeaders', 'exposeHeaders'].filter((key) => (value[key] as unknown[] | undefined)?.length);
  return {
    allowedOrigins: value.allowedOrigins as string[],
    allowedMethods: value.allowedMethods as string[],
    ...Object.fromEntries(optional.map((key) => [key, value[key]])),
    ...(value.maxAgeSeconds !== undefined ? { maxAgeSeconds: value.maxAgeSeconds as number } : {}),
  };
}

/** Every default filled in; on update an omitted bucket name, region or KMS key keeps what AWS has. */
export function canonicalSpec(spec: Loose, current?: S3BucketSpec): S3BucketSpec {
  const bucketName = (spec.bucketName as string | undefined) ?? current?.bucketName;
  const region = (spec.region as string | undefined) ?? current?.region;
  const desiredEncryption = (spec.encryption ?? {}) as Loose;
  const keepKey = desiredEncryption.type === 'KMS' && desiredEncryption.kmsKeyId === undefined && current?.encryption.type === 'KMS' && current.encryption.kmsKeyId;
  const given = (spec.accessControl as AccessControl | undefined) ?? 'Private';
  const accessControl: AccessControl = OWNER_ONLY.includes(given) ? 'Private' : given;
  const site = website(spec.website);
  const rules = (spec.lifecycleRules as Loose[] | undefined)?.map(lifecycleRule);
  const cors = (spec.cors as Loose[] | undefined)?.map(corsRule);
  return {
    ...(bucketName !== undefined ? { bucketName } : {}),
    ...(region !== undefined ? { region } : {}),
    versioning: (spec.versioning as boolean | undefined) ?? false,
    accessControl,
    website: site,
    logging: logging(spec.logging, bucketName),
    encryption: encryption(keepKey ? { ...desiredEncryption, kmsKeyId: current.encryption.kmsKeyId } : desiredEncryption),
    publicAccessBlock: publicAccessBlock(spec.publicAccessBlock, accessControl, site),
    // ACLs other than the owner's need ACLs enabled; otherwise S3's default: ACLs disabled.
    ownership: (spec.ownership as Ownership | undefined) ?? (accessControl === 'Private' ? 'BucketOwnerEnforced' : 'ObjectWriter'),
    ...(rules?.length ? { lifecycleRules: rules.sort((a, b) => a.id.localeCompare(b.id)) } : {}),
    ...(cors?.length ? { cors } : {}),
    ...(spec.policy !== undefined ? { policy: spec.policy as Loose } : {}),
  };
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** Why S3 would refuse a bucket name, or undefined when it takes it. */
export function bucketNameProblem(name: string): string | undefined {
  if (!BUCKET_NAME.test(name)) return 'a bucket name is 3 to 63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit';
  if (name.includes('..')) return 'a bucket name may not contain two adjacent periods';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'a bucket name may not look like an IP address';
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `bucket names starting with "${prefix}" are reserved`;
  const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `bucket names ending with "${suffix}" are reserved`;
  return name.startsWith(SERVER_BUCKET_PREFIX) ? `bucket names starting with "${SERVER_BUCKET_PREFIX}" are the server's own (it keeps every namespace's templates in one)` : undefined;
}

function ruleErrors(spec: S3BucketSpec): FieldError[] {
  const seen = new Set<string>();
  return (spec.lifecycleRules ?? []).flatMap((rule, i) => {
    const duplicate = seen.has(rule.id);
    seen.add(rule.id);
    const actions = rule.expirationDays ?? rule.noncurrentVersionExpirationDays ?? rule.abortIncompleteMultipartUploadDays ?? rule.transitions?.length;
    return [
      ...(duplicate ? [fieldError('FieldValueDuplicate', `spec.lifecycleRules[${i}].id`, 'rule ids must be unique', rule.id)] : []),
      ...(actions === undefined ? [fieldError('FieldValueRequired', `spec.lifecycleRules[${i}]`, 'a rule needs an expiration, a transition or abortIncompleteMultipartUploadDays')] : []),
    ];
  });
}

/** AWS's naming rules and cross-field rules. */
export function validateSpec(spec: S3BucketSpec): FieldError[] {
  const errors: FieldError[] = [];
  const problem = spec.bucketName !== undefined ? bucketNameProblem(spec.bucketName) : undefined;
  if (problem) errors.push(fieldError('FieldValueInvalid', 'spec.bucketName', problem, spec.bucketName));
  if (spec.encryption.type !== 'KMS' && spec.encryption.kmsKeyId !== undefined) errors.push(fieldError('FieldValueForbidden', 'spec.encryption.kmsKeyId', 'only with encryption type KMS'));
  if (spec.ownership === 'BucketOwnerEnforced' && spec.accessControl !== 'Private') {
    errors.push(fieldError('FieldValueForbidden', 'spec.accessControl', 'ownership BucketOwnerEnforced disables ACLs; only Private is possible with it'));
  }
  return [...errors, ...ruleErrors(spec)];
}
