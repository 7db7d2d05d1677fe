// References from one object to another of the same namespace (a subscription's topic, a queue's
// dead-letter queue), made by object name or by ARN. The spec holds both once resolved: the object name
// (the user's, or found from the target's ownership tags when the user gave an ARN) and the ARN. The spec
// rendered from AWS holds both too, so the two compare equal and `kubectl apply` stays quiet either way.
// Whether the object may refer to a target at all (not one of another namespace) is the store's
// check of every linked resource (kind.ts, LinkedResource), made after these are resolved.
import { fieldError } from '../api/errors.js';
import { childPath } from '../api/schema.js';
import { readIdentity } from '../aws/metadata-tags.js';
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
  const owner = await nameOfArn(arn);
  return { ...rest, ...(owner ? { [fields.nameKey]: owner } : {}), [fields.arnKey]: arn };
}
