// A CloudFormationTemplate is an object of the server's private bucket (aws/server-bucket.ts) at
// templates/<namespace>/<key>. The user's tags are the S3 object's tags; the server's (ownership and
// metadata) are a JSON document beside it, metadata/templates/<namespace>/<key>.json, since S3
// objects take 10 tags and the metadata holds kubectl's last-applied copy of the whole template.
import { ValidateTemplateCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { fieldError, type FieldError } from '../../api/errors.js';
import type { ObjectIdentity } from '../../aws/context.js';
import { awsErrorCode } from '../../aws/errors.js';
import { CLUSTER_TAG, decodeMetadataTags, isReservedTagKey } from '../../aws/metadata-tags.js';
import { deleteObject, keysUnder, objectTags, objectUrl, readDocument, readObject, serverBucketName, setObjectTags, writeDocument, writeObject } from '../../aws/server-bucket.js';
import type { DeleteOutcome, KindAws, KindContext, Observed, SpecChange, TagChange } from '../../registry/kind.js';
import type { TemplateSpec } from './spec.js';

const TEMPLATES = 'templates/';
const DOCUMENTS = 'metadata/templates/';

interface TagsDocument {
  tags: Record<string, string>;
}

/** `templates/<namespace>/<key>`: the S3 key, which is also the object's ref. */
export const templateObjectKey = (namespace: string, key: string): string => `${TEMPLATES}${namespace}/${key}`;
const documentKey = (ref: string): string => `${DOCUMENTS}${ref.slice(TEMPLATES.length)}.json`;
const ownTags = (tags: Record<string, string>) => Object.fromEntries(Object.entries(tags).filter(([key]) => isReservedTagKey(key)));
const userTags = (tags: Record<string, string>) => Object.fromEntries(Object.entries(tags).filter(([key]) => !isReservedTagKey(key)));

/** The user's key of a ref (`templates/<namespace>/<key>`). */
function userKey(ref: string): string {
  const afterNamespace = ref.indexOf('/', TEMPLATES.length);
  return ref.slice(afterNamespace + 1);
}

async function find(ctx: KindContext, ref: string): Promise<Observed<TemplateSpec> | undefined> {
  if (!ref.startsWith(TEMPLATES)) return undefined;
  const stored = await readObject(ctx, ref);
  if (!stored) return undefined;
  const [document, user] = await Promise.all([readDocument<TagsDocument>(ctx, documentKey(ref)), objectTags(ctx, ref)]);
  const tags = { ...user, ...(document?.tags ?? {}) };
  const bucket = await serverBucketName(ctx);
  const url = await objectUrl(ctx, ref);
  const updated = (decodeMetadataTags(tags)?.generation ?? 1) > 1;
  return {
    ref,
    arn: `arn:aws:s3:::${bucket}/${ref}`,
    tags,
    lifecycle: { state: 'UPLOAD_COMPLETE', phase: 'Ready', message: 'template is stored', resourceStatus: updated ? 'UPDATE_COMPLETE' : 'UPLOAD_COMPLETE' },
    spec: { key: userKey(ref), template: stored.body },
    status: { arn: `arn:aws:s3:::${bucket}/${ref}`, bucketName: bucket, objectKey: ref, url, ...(stored.lastModified ? { lastModified: stored.lastModified.toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}) },
    outputs: { url },
  };
}

const contentType = (template: string): string => (template.trimStart().startsWith('{') ? 'application/json' : 'application/yaml');

/**
 * The document first (with the pending tag: registry/half-made.ts): a template stored without one
 * would be nobody's, its key refused to every object for good. A failure after that removes what was
 * made; should the removal fail, the document keeps the template a half-made one of this object.
 */
async function create(ctx: KindContext, ref: string, spec: TemplateSpec, tags: Record<string, string>): Promise<string> {
  await writeDocument(ctx, documentKey(ref), { tags: ownTags(tags) } satisfies TagsDocument);
  try {
    await writeObject(ctx, ref, spec.template, contentType(spec.template));
    if (Object.keys(userTags(tags)).length) await setObjectTags(ctx, ref, userTags(tags));
  } catch (error) {
    await discard(ctx, ref).catch(() => undefined);
    throw error;
  }
  return ref;
}

/** The template, then the document that makes it ours (never the other way round, see create). */
async function discard(ctx: KindContext, ref: string): Promise<void> {
  await deleteObject(ctx, ref);
  await deleteObject(ctx, documentKey(ref));
}

/** Only the template can change (the key is immutable). */
async function update(ctx: KindContext, observed: Observed<TemplateSpec>, change: SpecChange<TemplateSpec>): Promise<void> {
  await writeObject(ctx, observed.ref, change.desired.template, contentType(change.desired.template));
}

/**
 * The user's go to the S3 object, ours to the document (all of them gone: the template is released).
 * Ours last: the end of a create removes the pending tag, which must be its last step.
 */
async function setTags(ctx: KindContext, observed: Observed<TemplateSpec>, change: TagChange): Promise<void> {
  const after = { ...observed.tags, ...change.set };
  for (const key of change.remove) delete after[key];
  const userChanged = change.remove.some((key) => !isReservedTagKey(key)) || Object.keys(change.set).some((key) => !isReservedTagKey(key));
  if (userChanged) await setObjectTags(ctx, observed.ref, userTags(after));
  if (!(CLUSTER_TAG in after)) await deleteObject(ctx, documentKey(observed.ref));
  else if (change.remove.some(isReservedTagKey) || Object.keys(change.set).some(isReservedTagKey)) await writeDocument(ctx, documentKey(observed.ref), { tags: ownTags(after) } satisfies TagsDocument);
}

async function remove(ctx: KindContext, observed: Observed<TemplateSpec>): Promise<DeleteOutcome> {
  await discard(ctx, observed.ref);
  return { state: 'deleted' };
}

/** Every template the server keeps for this cluster (the bucket is the cluster's): bare refs, read in turn. */
async function* enumerate(ctx: KindContext): AsyncIterable<string> {
  for await (const key of keysUnder(ctx, DOCUMENTS)) if (key.endsWith('.json')) yield `${TEMPLATES}${key.slice(DOCUMENTS.length, -'.json'.length)}`;
}

/** CloudFormation's own check of the template, before anything is stored. */
export async function validateTemplate(ctx: KindContext, template: string, field: string): Promise<FieldError[]> {
  try {
    await ctx.aws.client(CloudFormationClient).send(new ValidateTemplateCommand({ TemplateBody: template }));
    return [];
  } catch (error) {
    if (awsErrorCode(error) !== 'ValidationError') throw error;
    return [fieldError('FieldValueInvalid', field, `CloudFormation's ValidateTemplate refused it: ${(error as Error).message}`)];
  }
}

/**
 * Keys are the namespace's own (`templates/<namespace>/...`, a namespace having no "/"): no explicit
 * key can reach another namespace's templates, so none is reserved, and a template links nothing.
 */
export const templateAws: KindAws<TemplateSpec> = {
  physicalName: (identity: ObjectIdentity, spec?: TemplateSpec) => templateObjectKey(identity.namespace, spec?.key ?? `${identity.name}.yaml`),
  find,
  create,
  update,
  setTags,
  delete: remove,
  enumerate,
};
