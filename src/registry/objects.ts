// Turning an AWS resource (as the kind observed it) plus the metadata stored in its tags into the
// Kubernetes object users see, and back: which parts of a written object are kept in the tags.
import { createHash, randomUUID } from 'node:crypto';
import { timestamp } from '../api/time.js';
import type { Condition, KubeObject, ObjectMeta } from '../api/types.js';
import { GROUP_VERSION } from '../api/types.js';
import { userTags, type ReadySince, type StoredMetadata } from '../aws/metadata-tags.js';
import { specFieldOf, type KindDefinition, type Lifecycle, type Observed } from './kind.js';
import { renderSpec } from './spec-shape.js';

/** Held while AWS deletes the resource asynchronously, so clients see a pending deletion. */
export const AWS_FINALIZER = 'service-operator.aws/aws-resource';
/** Annotation: `retain` keeps the AWS resource when the object is deleted (only our tags are removed). */
export const DELETION_POLICY_ANNOTATION = 'service-operator.aws/deletion-policy';

/** The desired state an object carries, under the kind's spec field (`spec`, or `data`). */
export function specOf(kind: KindDefinition, object: KubeObject): Record<string, unknown> {
  const value = object[specFieldOf(kind)];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The original operator's status words (CloudFormation's), which scripts poll; a kind may say its own. */
function resourceStatusOf(lifecycle: Lifecycle, generation: number): string {
  if (lifecycle.resourceStatus) return lifecycle.resourceStatus;
  const verb = generation > 1 ? 'UPDATE' : 'CREATE';
  switch (lifecycle.phase) {
    case 'Waiting':
      return 'CREATE_PENDING';
    case 'Creating':
      return 'CREATE_IN_PROGRESS';
    case 'Updating':
      return 'UPDATE_IN_PROGRESS';
    case 'Deleting':
      return 'DELETE_IN_PROGRESS';
    case 'Failed':
      return `${verb}_FAILED`;
    case 'Ready':
      return `${verb}_COMPLETE`;
  }
}

/** The Ready condition's reason for an object whose metadata tags cannot be read (see store-reader.ts). */
export const METADATA_UNREADABLE = 'MetadataUnreadable';

/**
 * When the Ready condition took its status: kept from the previous rendering while the status stays;
 * on a process's first rendering of the object (after a restart), the time the last write stored
 * with the same status; else now, when this server sees the change.
 */
function transitionTime(status: string, previous: Condition | undefined, stored: ReadySince | undefined, now: string): string {
  if (previous) return previous.status === status ? previous.lastTransitionTime : now;
  return stored?.status === status && typeof stored.time === 'string' ? stored.time : now;
}

/** The Ready condition's reason while the kind keeps an object that waits for others (Lifecycle's `Waiting`). */
export const WAITING_FOR_REFERENCES = 'WaitingForReferences';
const notReadyReason = (lifecycle: Lifecycle): string => (lifecycle.phase === 'Waiting' ? WAITING_FOR_REFERENCES : lifecycle.phase);

function readyCondition(kind: KindDefinition, observed: Observed, generation: number, previous: Condition | undefined, stored: ReadySince | undefined, now: string, quarantine?: string): Condition {
  const ready = observed.lifecycle.phase === 'Ready' && !quarantine;
  const status = ready ? 'True' : 'False';
  return {
    type: 'Ready',
    status,
    reason: ready ? 'Available' : quarantine ? METADATA_UNREADABLE : notReadyReason(observed.lifecycle),
    message: quarantine ?? observed.lifecycle.message ?? `${kind.names.kind} is ${observed.lifecycle.state} in AWS`,
    lastTransitionTime: transitionTime(status, previous, stored, now),
    observedGeneration: generation,
  };
}

/** The kind's own conditions, their transition times kept while their status stays. */
function otherConditions(observed: Observed, generation: number, previous: KubeObject | undefined, now: string): Condition[] {
  const before = (previous?.status?.conditions as Condition[] | undefined) ?? [];
  return (observed.lifecycle.conditions ?? []).map((condition) => {
    const last = before.find((c) => c.type === condition.type);
    return { ...condition, lastTransitionTime: last?.status === condition.status ? last.lastTransitionTime : now, observedGeneration: generation };
  });
}

function previousReady(previous: KubeObject | undefined): Condition | undefined {
  const conditions = previous?.status?.conditions as Condition[] | undefined;
  return conditions?.find((c) => c.type === 'Ready');
}

/**
 * What a write stores of the Ready condition: as the object shows it now; a new object is stored as
 * Ready from its creation, since a create waits for AWS to finish (when it outlasts the wait, the
 * later transition is shown live, and after a restart as of the creation).
 */
export function readySinceOf(current: KubeObject | undefined, creationTimestamp: string): ReadySince {
  const ready = previousReady(current);
  return ready && (ready.status === 'True' || ready.status === 'False') ? { status: ready.status, time: ready.lastTransitionTime } : { status: 'True', time: creationTimestamp };
}

function nonEmpty<T extends object>(value: T | undefined): T | undefined {
  return value && Object.keys(value).length > 0 ? value : undefined;
}

/** The Ready condition's reason for an object whose AWS account cannot be reached (aws/accounts/). */
export const ACCOUNT_UNAVAILABLE = 'AccountUnavailable';

/** The object as last read, Ready=False because its account cannot be reached now (a role STS refuses, say). */
export function withAccountUnavailable(object: KubeObject, message: string, now: string = new Date().toISOString()): KubeObject {
  const previous = previousReady(object);
  const ready: Condition = {
    type: 'Ready',
    status: 'False',
    reason: ACCOUNT_UNAVAILABLE,
    message,
    lastTransitionTime: previous?.status === 'False' ? previous.lastTransitionTime : now,
    ...(previous?.observedGeneration !== undefined ? { observedGeneration: previous.observedGeneration } : {}),
  };
  const others = ((object.status?.conditions ?? []) as Condition[]).filter((c) => c.type !== 'Ready');
  return { ...object, status: { ...object.status, conditions: [ready, ...others] } };
}

/** Why the object's metadata could not be read, when it was rendered quarantined. */
export function quarantineOf(object: KubeObject | undefined): string | undefined {
  const ready = previousReady(object);
  return ready?.reason === METADATA_UNREADABLE ? ready.message : undefined;
}

/**
 * The object for an observed AWS resource. `previous` (the last rendering) keeps transition times and a
 * pending deletion's timestamp stable between renderings. A `quarantine` (why its metadata tags cannot
 * be read) makes it Ready=False with reason MetadataUnreadable.
 */
export function renderObject(
  kind: KindDefinition,
  observed: Observed,
  meta: StoredMetadata,
  namespace: string,
  name: string,
  previous: KubeObject | undefined,
  now: string = new Date().toISOString(),
  quarantine?: string,
): KubeObject {
  const deleting = observed.lifecycle.phase === 'Deleting';
  const deletionTimestamp = meta.deletionTimestamp ?? (deleting ? (previous?.metadata.deletionTimestamp ?? now) : undefined);
  const finalizers = [...(meta.finalizers ?? []), ...(deleting ? [AWS_FINALIZER] : [])];
  const metadata: ObjectMeta = {
    name,
    namespace,
    uid: meta.uid,
    generation: meta.generation,
    creationTimestamp: meta.creationTimestamp,
    ...(deletionTimestamp ? { deletionTimestamp } : {}),
    ...(nonEmpty(meta.labels) ? { labels: meta.labels } : {}),
    ...(nonEmpty(meta.annotations) ? { annotations: meta.annotations } : {}),
    ...(finalizers.length ? { finalizers } : {}),
    ...(meta.ownerReferences?.length ? { ownerReferences: meta.ownerReferences } : {}),
    ...(meta.managedFields?.length ? { managedFields: meta.managedFields } : {}),
  };
  return {
    apiVersion: GROUP_VERSION,
    kind: kind.names.kind,
    metadata,
    [specFieldOf(kind)]: renderSpec(kind, awsSpecOf(observed), meta.specShape),
    status: {
      ...observed.status,
      resourceStatus: resourceStatusOf(observed.lifecycle, meta.generation),
      observedGeneration: meta.generation,
      conditions: [readyCondition(kind, observed, meta.generation, previousReady(previous), meta.readySince, now, quarantine), ...otherConditions(observed, meta.generation, previous, now)],
    },
    output: observed.outputs,
  };
}

/** The spec as AWS has it, in canonical form, with the user's tags (when there are some). */
export function awsSpecOf(observed: Pick<Observed, 'spec' | 'tags'>): Record<string, unknown> {
  const tags = nonEmpty(userTags(observed.tags));
  return { ...observed.spec, ...(tags ? { tags } : {}) };
}

/**
 * The stored metadata of an object being made (a create, or an adoption): a new uid, generation 1,
 * Ready since now, and the field manager's record of what the request wrote with the spec in its form.
 */
export function newObjectMetadata(object: KubeObject, specShape: StoredMetadata['specShape']): StoredMetadata {
  const creationTimestamp = timestamp();
  return storedMetadataOf(object, {
    uid: randomUUID(),
    creationTimestamp,
    generation: 1,
    managedFields: object.metadata.managedFields,
    readySince: readySinceOf(undefined, creationTimestamp),
    specShape,
  });
}

/** The parts of a written object that live in the AWS tags (server-set fields come from `base`). */
export function storedMetadataOf(
  object: KubeObject,
  base: Pick<StoredMetadata, 'uid' | 'creationTimestamp' | 'generation' | 'deletionTimestamp' | 'managedFields' | 'readySince' | 'specShape'>,
): StoredMetadata {
  const { labels, annotations, ownerReferences } = object.metadata;
  const finalizers = (object.metadata.finalizers ?? []).filter((f) => f !== AWS_FINALIZER);
  const { managedFields, specShape, ...rest } = base;
  return {
    ...rest,
    ...(managedFields?.length ? { managedFields } : {}),
    ...(specShape ? { specShape } : {}),
    ...(nonEmpty(labels) ? { labels } : {}),
    ...(nonEmpty(annotations) ? { annotations } : {}),
    ...(finalizers.length ? { finalizers } : {}),
    ...(ownerReferences?.length ? { ownerReferences } : {}),
  };
}

/** Metadata for a resource that carries our identity tags but lost its metadata tags (edited by hand). */
export function recoveredMetadata(observed: Observed, creationTimestamp: string): StoredMetadata {
  return { uid: uidFromArn(observed.arn), creationTimestamp, generation: 1 };
}

/** A stable UUID-shaped id derived from the ARN, so the object keeps one uid across reads. */
function uidFromArn(arn: string): string {
  const h = createHash('sha256').update(arn).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** What a quarantined object says about itself and what whoever may tag it in AWS can do about it. */
export function quarantineMessage(observed: Observed, reason: string): string {
  return (
    `the Kubernetes metadata stored in the service-operator.aws/meta tags of ${observed.arn} cannot be read (${reason}); ` +
    'the object is listed but neither served nor changed until those tags are repaired, or removed in AWS (the resource then gets new metadata)'
  );
}
