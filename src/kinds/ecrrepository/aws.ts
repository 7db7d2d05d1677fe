// ECR repositories through @aws-sdk/client-ecr: described into the canonical spec, created with their
// tags in the same call, each setting changed by its own ECR call. A repository that still holds images
// is deleted only when the object asks for it (annotation service-operator.aws/force-delete: "true").
import {
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type Repository,
} from '@aws-sdk/client-ecr';
import { allPages } from '../../aws/paginate.js';
import { awsErrorCode, isAwsNotFound } from '../../aws/errors.js';
import { CLUSTER_TAG, decodeMetadataTags, TAG_PREFIX } from '../../aws/metadata-tags.js';
import { defaultPhysicalName, type NamingRules } from '../../aws/naming.js';
import { fromTagList, toTagList } from '../../aws/tag-list.js';
import { changed, ResourceConflict, type DeleteOutcome, type KindAws, type KindContext, type Listed, type ObjectIdentity, type Observed, type SpecChange, type TagChange } from '../../registry/kind.js';
import type { ECRRepositorySpec } from './spec.js';

/** Annotation: "true" lets a delete remove a repository together with its images. */
export const FORCE_DELETE_ANNOTATION = `${TAG_PREFIX}force-delete`;

const ecr = (ctx: KindContext): ECRClient => ctx.aws.client(ECRClient);

// ------------------------------------------------------------------ reading

async function describe(ctx: KindContext, name: string): Promise<Repository | undefined> {
  try {
    return (await ecr(ctx).send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories?.[0];
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}

/** A policy document ECR holds as text; undefined when the repository has none. */
async function policyText(read: () => Promise<string | undefined>, missing: string): Promise<Record<string, unknown> | undefined> {
  try {
    const text = await read();
    return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch (error) {
    if (awsErrorCode(error) === missing) return undefined;
    throw error;
  }
}

async function repositoryTags(ctx: KindContext, arn: string): Promise<Record<string, string>> {
  return fromTagList((await ecr(ctx).send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags);
}

function renderSpec(repository: Repository, lifecyclePolicy: Record<string, unknown> | undefined, repositoryPolicy: Record<string, unknown> | undefined): ECRRepositorySpec {
  const encryption = repository.encryptionConfiguration;
  return {
    repositoryName: repository.repositoryName,
    imageTagMutability: (repository.imageTagMutability ?? 'MUTABLE') as ECRRepositorySpec['imageTagMutability'],
    scanOnPush: repository.imageScanningConfiguration?.scanOnPush ?? false,
    encryption: encryption?.encryptionType === 'KMS' ? { type: 'KMS', ...(encryption.kmsKey ? { kmsKey: encryption.kmsKey } : {}) } : { type: 'AES256' },
    ...(lifecyclePolicy ? { lifecyclePolicy } : {}),
    ...(repositoryPolicy ? { repositoryPolicy } : {}),
  };
}

async function find(ctx: KindContext, name: string): Promise<Observed<ECRRepositorySpec> | undefined> {
  const repository = await describe(ctx, name);
  if (!repository?.repositoryArn) return undefined;
  const arn = repository.repositoryArn;
  const [tags, lifecyclePolicy, repositoryPolicy] = await Promise.all([
    repositoryTags(ctx, arn),
    policyText(async () => (await ecr(ctx).send(new GetLifecyclePolicyCommand({ repositoryName: name }))).lifecyclePolicyText, 'LifecyclePolicyNotFoundException'),
    policyText(async () => (await ecr(ctx).send(new GetRepositoryPolicyCommand({ repositoryName: name }))).policyText, 'RepositoryPolicyNotFoundException'),
  ]);
  const uri = repository.repositoryUri as string;
  return {
    ref: name,
    arn,
    tags,
    lifecycle: { state: 'ACTIVE', phase: 'Ready', message: 'repository exists' },
    spec: renderSpec(repository, lifecyclePolicy, repositoryPolicy),
    status: { arn, repositoryName: name, repositoryURI: uri, registryId: repository.registryId },
    outputs: { repositoryName: name, repositoryARN: arn, repositoryURL: uri },
    ...(repository.createdAt ? { createdAt: repository.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
  };
}

// ------------------------------------------------------------------ writing

async function setLifecyclePolicy(ctx: KindContext, name: string, policy: Record<string, unknown> | undefined): Promise<void> {
  if (policy) await ecr(ctx).send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: JSON.stringify(policy) }));
  else await ecr(ctx).send(new DeleteLifecyclePolicyCommand({ repositoryName: name }));
}

async function setRepositoryPolicy(ctx: KindContext, name: string, policy: Record<string, unknown> | undefined): Promise<void> {
  if (policy) await ecr(ctx).send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: JSON.stringify(policy) }));
  else await ecr(ctx).send(new DeleteRepositoryPolicyCommand({ repositoryName: name }));
}

async function create(ctx: KindContext, name: string, spec: ECRRepositorySpec, tags: Record<string, string>): Promise<string> {
  await ecr(ctx).send(
    new CreateRepositoryCommand({
      repositoryName: name,
      imageTagMutability: spec.imageTagMutability,
      imageScanningConfiguration: { scanOnPush: spec.scanOnPush },
      encryptionConfiguration: { encryptionType: spec.encryption.type, ...(spec.encryption.kmsKey ? { kmsKey: spec.encryption.kmsKey } : {}) },
      tags: toTagList(tags),
    }),
  );
  try {
    if (spec.lifecyclePolicy) await setLifecyclePolicy(ctx, name, spec.lifecyclePolicy);
    if (spec.repositoryPolicy) await setRepositoryPolicy(ctx, name, spec.repositoryPolicy);
  } catch (error) {
    // A half-configured repository must not stay behind. If the removal fails too, it stays half made
    // (pending) until a retry finishes it or the resync removes it.
    await discardRepository(ctx, name).catch(() => undefined);
    throw error;
  }
  return name;
}

/**
 * Removes a repository whose create did not finish. Never with its images: should someone have pushed
 * to it meanwhile, it stays (half made, hidden) and the resync says so in its log each period.
 */
async function discardRepository(ctx: KindContext, name: string): Promise<void> {
  try {
    await ecr(ctx).send(new DeleteRepositoryCommand({ repositoryName: name }));
  } catch (error) {
    if (!isAwsNotFound(error)) throw error;
  }
}

async function update(ctx: KindContext, observed: Observed<ECRRepositorySpec>, change: SpecChange<ECRRepositorySpec>): Promise<void> {
  const { desired } = change;
  const name = observed.ref;
  if (changed(change, 'imageTagMutability')) {
    await ecr(ctx).send(new PutImageTagMutabilityCommand({ repositoryName: name, imageTagMutability: desired.imageTagMutability }));
  }
  if (changed(change, 'scanOnPush')) {
    await ecr(ctx).send(new PutImageScanningConfigurationCommand({ repositoryName: name, imageScanningConfiguration: { scanOnPush: desired.scanOnPush } }));
  }
  if (changed(change, 'lifecyclePolicy')) await setLifecyclePolicy(ctx, name, desired.lifecyclePolicy);
  if (changed(change, 'repositoryPolicy')) await setRepositoryPolicy(ctx, name, desired.repositoryPolicy);
}

async function setTags(ctx: KindContext, observed: Observed<ECRRepositorySpec>, change: TagChange): Promise<void> {
  if (Object.keys(change.set).length) await ecr(ctx).send(new TagResourceCommand({ resourceArn: observed.arn, tags: toTagList(change.set) }));
  if (change.remove.length) await ecr(ctx).send(new UntagResourceCommand({ resourceArn: observed.arn, tagKeys: change.remove }));
}

async function remove(ctx: KindContext, observed: Observed<ECRRepositorySpec>): Promise<DeleteOutcome> {
  const force = decodeMetadataTags(observed.tags)?.annotations?.[FORCE_DELETE_ANNOTATION] === 'true';
  try {
    await ecr(ctx).send(new DeleteRepositoryCommand({ repositoryName: observed.ref, force }));
  } catch (error) {
    if (isAwsNotFound(error)) return { state: 'deleted' };
    if (awsErrorCode(error) !== 'RepositoryNotEmptyException') throw error;
    throw new ResourceConflict(`the repository still holds images, which a delete would destroy; delete the images first, or annotate the object with ${FORCE_DELETE_ANNOTATION}: "true" to delete them with it`);
  }
  return { state: 'deleted' };
}

/** The tagging API does not list ECR repositories everywhere (moto), so: list them and read their tags. */
async function* enumerate(ctx: KindContext, clusterName: string): AsyncIterable<Listed> {
  const pages = allPages(
    'DescribeRepositories',
    (token) => ecr(ctx).send(new DescribeRepositoriesCommand({ maxResults: 100, ...(token ? { nextToken: token } : {}) })),
    (page) => page.nextToken,
  );
  for await (const page of pages) {
    for (const repository of page.repositories ?? []) {
      const tags = await repositoryTags(ctx, repository.repositoryArn as string);
      if (tags[CLUSTER_TAG] === clusterName) yield { ref: repository.repositoryName as string, tags };
    }
  }
}

/** Lowercase, and single separators between letters and digits, as ECR requires. */
const sanitize = (text: string): string => text.toLowerCase().replace(/[^a-z0-9._/-]/g, '-').replace(/[._-]{2,}/g, '-');

const NAMING: NamingRules = { separator: '/', maxLength: 256, sanitize };

export const ecrRepositoryAws: KindAws<ECRRepositorySpec> = {
  physicalName: (identity: ObjectIdentity, spec?: ECRRepositorySpec) => spec?.repositoryName ?? defaultPhysicalName(identity, NAMING),
  explicitName: { field: 'repositoryName', rules: NAMING },
  find,
  create,
  update,
  setTags,
  delete: remove,
  discard: (ctx, observed) => discardRepository(ctx, observed.ref),
  enumerate,
};
