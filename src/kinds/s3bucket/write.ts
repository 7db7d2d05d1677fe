// Writing a bucket's settings: each setting has its own S3 call, made only when the change set says the
// setting differs (for a new bucket: when it is not S3's default). The order matters where public access is concerned: ACLs are enabled and
// Block Public Access loosened before a public ACL or policy is set, and ACLs reset before they are
// disabled again.
import {
  DeleteBucketCorsCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketPolicyCommand,
  DeleteBucketWebsiteCommand,
  PutBucketAclCommand,
  PutBucketCorsCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutBucketWebsiteCommand,
  PutPublicAccessBlockCommand,
  type BucketCannedACL,
} from '@aws-sdk/client-s3';
import { joinPolicy } from '../../aws/policy-statements.js';
import type { KindContext, SpecChange } from '../../registry/kind.js';
import { s3 } from './read.js';
import { CANNED_ACL, corsToAws, encryptionToAws, lifecycleToAws, managedStatements } from './settings.js';
import type { S3BucketSpec } from './spec.js';

interface Target {
  ctx: KindContext;
  name: string;
  region: string;
  account: string;
}

type Change = SpecChange<S3BucketSpec>;

/** One setting: whether it has to be written (`change` undefined: a new bucket), and how. */
interface Step {
  needed(desired: S3BucketSpec, change: Change | undefined, target: Target): boolean;
  write(desired: S3BucketSpec, target: Target): Promise<void>;
}

/** Written when the field changed; on a new bucket, when it is not S3's default (`isDefault`), or always. */
const differs =
  (key: keyof S3BucketSpec, isDefault: (desired: S3BucketSpec) => boolean = () => false) =>
  (desired: S3BucketSpec, change: Change | undefined): boolean =>
    change ? change.fields.has(key) : !isDefault(desired);

const policyText = (spec: S3BucketSpec, t: Target): string => joinPolicy({ ...(spec.policy ? { user: spec.policy } : {}), managed: managedStatements(spec, t.name, t.region, t.account) });

const ownership = (when: (enforced: boolean) => boolean): Step => ({
  needed: (desired, change) => when(desired.ownership === 'BucketOwnerEnforced') && differs('ownership')(desired, change),
  write: async (desired, t) => {
    await s3(t.ctx).send(new PutBucketOwnershipControlsCommand({ Bucket: t.name, OwnershipControls: { Rules: [{ ObjectOwnership: desired.ownership }] } }));
  },
});

const STEPS: Step[] = [
  ownership((enforced) => !enforced),
  {
    needed: differs('publicAccessBlock'),
    write: async (desired, t) => {
      const p = desired.publicAccessBlock;
      const config = { BlockPublicAcls: p.blockPublicAcls, IgnorePublicAcls: p.ignorePublicAcls, BlockPublicPolicy: p.blockPublicPolicy, RestrictPublicBuckets: p.restrictPublicBuckets };
      await s3(t.ctx).send(new PutPublicAccessBlockCommand({ Bucket: t.name, PublicAccessBlockConfiguration: config }));
    },
  },
  {
    // A new bucket is private already.
    needed: differs('accessControl', (desired) => desired.accessControl === 'Private'),
    write: async (desired, t) => {
      await s3(t.ctx).send(new PutBucketAclCommand({ Bucket: t.name, ACL: CANNED_ACL[desired.accessControl] as BucketCannedACL }));
    },
  },
  ownership((enforced) => enforced),
  {
    needed: differs('versioning', (desired) => !desired.versioning),
    write: async (desired, t) => {
      await s3(t.ctx).send(new PutBucketVersioningCommand({ Bucket: t.name, VersioningConfiguration: { Status: desired.versioning ? 'Enabled' : 'Suspended' } }));
    },
  },
  {
    needed: differs('encryption'),
    write: async (desired, t) => {
      await s3(t.ctx).send(new PutBucketEncryptionCommand({ Bucket: t.name, ServerSideEncryptionConfiguration: { Rules: [encryptionToAws(desired.encryption)] } }));
    },
  },
  {
    // Before logging: logs delivered to the bucket itself need the policy's log delivery statement.
    // The policy text is derived from several settings (policy, website, logging): compare the text.
    needed: (desired, change, t) => policyText(desired, t) !== (change ? policyText(change.current, t) : ''),
    write: async (desired, t) => {
      const text = policyText(desired, t);
      if (text) await s3(t.ctx).send(new PutBucketPolicyCommand({ Bucket: t.name, Policy: text }));
      else await s3(t.ctx).send(new DeleteBucketPolicyCommand({ Bucket: t.name }));
    },
  },
  {
    needed: differs('website', (desired) => !desired.website.enabled),
    write: async ({ website }, t) => {
      if (!website.enabled) return void (await s3(t.ctx).send(new DeleteBucketWebsiteCommand({ Bucket: t.name })));
      const config = { IndexDocument: { Suffix: website.indexPage }, ...(website.errorPage ? { ErrorDocument: { Key: website.errorPage } } : {}) };
      await s3(t.ctx).send(new PutBucketWebsiteCommand({ Bucket: t.name, WebsiteConfiguration: config }));
    },
  },
  {
    needed: differs('logging', (desired) => !desired.logging.enabled),
    write: async ({ logging }, t) => {
      const enabled = logging.enabled ? { LoggingEnabled: { TargetBucket: logging.targetBucket ?? t.name, TargetPrefix: logging.prefix ?? '' } } : {};
      await s3(t.ctx).send(new PutBucketLoggingCommand({ Bucket: t.name, BucketLoggingStatus: enabled }));
    },
  },
  {
    needed: differs('lifecycleRules', (desired) => desired.lifecycleRules === undefined),
    write: async ({ lifecycleRules }, t) => {
      if (lifecycleRules) await s3(t.ctx).send(new PutBucketLifecycleConfigurationCommand({ Bucket: t.name, LifecycleConfiguration: lifecycleToAws(lifecycleRules) }));
      else await s3(t.ctx).send(new DeleteBucketLifecycleCommand({ Bucket: t.name }));
    },
  },
  {
    needed: differs('cors', (desired) => desired.cors === undefined),
    write: async ({ cors }, t) => {
      if (cors) await s3(t.ctx).send(new PutBucketCorsCommand({ Bucket: t.name, CORSConfiguration: { CORSRules: corsToAws(cors) } }));
      else await s3(t.ctx).send(new DeleteBucketCorsCommand({ Bucket: t.name }));
    },
  },
];

/** Brings the bucket's settings to `desired`; without a change set, for a bucket just created. */
export async function writeSettings(ctx: KindContext, name: string, region: string, desired: S3BucketSpec, change?: Change): Promise<void> {
  const target: Target = { ctx, name, region, account: await ctx.accountId() };
  for (const step of STEPS) if (step.needed(desired, change, target)) await step.write(desired, target);
}
