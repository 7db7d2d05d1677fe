// References from one object to another of the same namespace (a subscription's topic, a queue's
// dead-letter queue), made by object name or by ARN. The spec holds both once resolved: the object name
// (the user's, or found from the target's ownership tags when the user gave an ARN) and the ARN. The spec
// rendered from AWS holds both too, so the two compare equal and `kubectl apply` stays quiet either way.
import { fieldError } from '../api/errors.js';
import { childPath } from '../api/schema.js';
import { readIdentity, type OwnerIdentity } from '../aws/metadata-tags.js';
import { SpecInvalid, type ObjectIdentity, type SiblingLookup } from './kind.js';

type Loose = Record<string, unknown>;

export interface ReferenceFields {
  /** Where the two fields live, for error messages: `spec`, `spec.deadLetterQueue`... */
  path: string;
  nameKey: string;
  arnKey: string;
  /** The kind referred to, by plural (for the lookup) and by kind (for messages). */
  plural: string;
  kind: string;
}

/** Finds the name of the object in the referrer's namespace that owns an ARN, if any. */
export type NameOfArn = (arn: string) => Promise<string | undefined>;

/** The object name a resource's ownership tags give, when it belongs to `referrer`'s cluster and namespace. */
export function siblingName(tags: Record<string, string>, referrer: Pick<ObjectIdentity, 'clusterName' | 'namespace'>): string | undefined {
  const owner = readIdentity(tags);
  return owner && owner.cluster === referrer.clusterName && owner.namespace === referrer.namespace ? owner.name : undefined;
}

/** The target of an ARN reference is managed for another namespace or another cluster. */
export class ForeignTarget extends Error {
  constructor(readonly owner: OwnerIdentity) {
    super(`managed for ${owner.name} in namespace ${owner.namespace} of cluster ${owner.cluster}`);
  }
}

/**
 * siblingName for a reference being written (a NameOfArn for resolveReference): a target no object
 * manages is fine (undefined), one managed for another namespace or cluster is refused. Subscribing to
 * another team's topic, or wiring another team's queue, would reach across namespaces in AWS.
 */
export function referableName(tags: Record<string, string>, referrer: Pick<ObjectIdentity, 'clusterName' | 'namespace'>): string | undefined {
  const owner = readIdentity(tags);
  if (!owner) return undefined;
  const name = siblingName(tags, referrer);
  if (name === undefined) throw new ForeignTarget(owner);
  return name;
}

/** The referrer-namespace name for an ARN; a 422 on the ARN's field when another namespace or cluster owns the target. */
export async function nameOfTarget(arn: string, fields: ReferenceFields, nameOfArn: NameOfArn): Promise<string | undefined> {
  try {
    return await nameOfArn(arn);
  } catch (error) {
    if (!(error instanceof ForeignTarget)) throw error;
    const { owner } = error;
    const detail = `${arn} is managed for ${fields.kind} "${owner.name}" in namespace "${owner.namespace}" of cluster "${owner.cluster}"; an object may refer only to AWS resources of its own namespace or to resources aws-service-apiserver does not manage`;
    throw new SpecInvalid([fieldError('FieldValueForbidden', childPath(fields.path, fields.arnKey), detail)]);
  }
}

/**
 * When both fields are set and disagree (a merge patch changed one and kept the other from the live
 * object), the one that differs from what AWS has now is the user's intent; the other is re-derived.
 */
function intended(holder: Loose, current: Loose | undefined, fields: ReferenceFields): { name?: string; arn?: string } {
  const name = holder[fields.nameKey] as string | undefined;
  const arn = holder[fields.arnKey] as string | undefined;
  if (name === undefined || arn === undefined || !current) return { name, arn };
  const nameKept = name === current[fields.nameKey];
  const arnKept = arn === current[fields.arnKey];
  if (nameKept && !arnKept) return { arn };
  if (arnKept && !nameKept) return { name };
  return { name, arn };
}

/**
 * Fills in the ARN for a name (422 on the name field when no such object exists) or the name for an ARN.
 * `holder` is the part of a kind's spec with the two fields (the spec, or one of its objects).
 */
export async function resolveReference<T extends object>(holder: T, current: T | undefined, fields: ReferenceFields, lookup: SiblingLookup, nameOfArn: NameOfArn): Promise<T> {
  // The two fields are named by `fields`, so they are read and written by name; the rest is kept as is.
  return (await resolveFields(holder as Loose, current as Loose | undefined, fields, lookup, nameOfArn)) as T;
}

async function resolveFields(holder: Loose, current: Loose | undefined, fields: ReferenceFields, lookup: SiblingLookup, nameOfArn: NameOfArn): Promise<Loose> {
  const { name, arn } = intended(holder, current, fields);
  const { [fields.nameKey]: _name, [fields.arnKey]: _arn, ...rest } = holder;
  if (name !== undefined) {
    const target = await lookup(fields.plural, name);
    const targetArn = target?.status?.arn as string | undefined;
    if (!targetArn) {
      throw new SpecInvalid([fieldError('FieldValueNotFound', childPath(fields.path, fields.nameKey), `no ${fields.kind} named "${name}" exists in this namespace`, name)]);
    }
    if (arn !== undefined && arn !== targetArn) {
      throw new SpecInvalid([
        fieldError('FieldValueInvalid', childPath(fields.path, fields.arnKey), `${fields.kind} "${name}" has the ARN ${targetArn}; set only one of ${fields.nameKey} and ${fields.arnKey}`, arn),
      ]);
    }
    return { ...rest, [fields.nameKey]: name, [fields.arnKey]: targetArn };
  }
  if (arn === undefined) return rest;
  const owner = await nameOfTarget(arn, fields, nameOfArn);
  return { ...rest, ...(owner ? { [fields.nameKey]: owner } : {}), [fields.arnKey]: arn };
}
