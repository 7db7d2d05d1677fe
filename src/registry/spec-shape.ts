// The spec as users wrote it, where AWS agrees with it. AWS gives every setting one canonical form
// (lists in its order, defaults filled in); users write lists in their order, leave defaults out,
// and set fields AWS ignores. An object that showed only the canonical form would look changed to
// every client that compares it with its manifest (kubectl apply, Argo CD, server-side apply
// conflicts). So writes remember the user's form of each top-level spec field whose form differs
// but whose meaning AWS has (the "shape", stored with the metadata), and reads show that form while
// AWS still agrees with it; anything AWS disagrees with is shown as AWS has it.
//
// Fields nobody wrote show AWS's value (a default, or what AWS chose, like a generated name). Such a
// value comes back in every write (a PUT of what GET returned, an apply merged into the live
// object); when it is still the default it is dropped before defaulting, so defaults that depend on
// other fields (DynamoDB's billing mode) follow those fields instead of sticking.
import { deepEqual } from '../api/json.js';
import type { Path } from '../api/smd/path.js';
import { toAtom, type TypeRef } from '../api/smd/schema.js';
import { FieldSet } from '../api/smd/set.js';
import { toFieldSet } from '../api/smd/to-field-set.js';
import { asList, asMap, fieldType, itemElement, peKey } from '../api/smd/typed.js';
import { validateAgainstSchema } from '../api/schema.js';
import { isPlainObject, type ManagedFieldsEntry } from '../api/types.js';
import { SpecInvalid, specFieldOf, type KindDefinition } from './kind.js';
import { specSchemaOf, withoutIgnoredFields } from './kind-schemas.js';

type Spec = Record<string, unknown>;

const specTypes = new WeakMap<KindDefinition, TypeRef>();

function specType(kind: KindDefinition): TypeRef {
  let type = specTypes.get(kind);
  if (!type) {
    type = toAtom(specSchemaOf(kind));
    specTypes.set(kind, type);
  }
  return type;
}

/** Empty tags mean no tags: AWS cannot tell them apart. */
function withoutEmptyTags(spec: Spec): Spec {
  if (!isPlainObject(spec.tags) || Object.keys(spec.tags).length) return spec;
  const { tags: _tags, ...rest } = spec;
  return rest;
}

/** The canonical spec of what users wrote (tags kept apart), with what AWS has for settings that keep AWS's choice. */
export function canonicalOf(kind: KindDefinition, spec: Spec, aws?: Spec): Spec {
  const { tags, ...rest } = withoutIgnoredFields(spec);
  const { tags: _awsTags, ...current } = aws ?? {};
  const canonical = kind.canonicalSpec(rest, aws ? current : undefined) as Spec;
  return withoutEmptyTags({ ...canonical, ...(tags !== undefined ? { tags } : {}) });
}

/** The user's value over AWS's: objects merge key by key (so defaults the user left out show), the rest is the user's. */
function overlay(aws: unknown, user: unknown): unknown {
  if (!isPlainObject(aws) || !isPlainObject(user)) return user;
  const out: Spec = { ...aws };
  for (const [key, value] of Object.entries(user)) out[key] = overlay(aws[key], value);
  return out;
}

/** Whether writing `value` as field `key` of a spec AWS has as `aws` would mean exactly what AWS has. */
function agrees(kind: KindDefinition, aws: Spec, key: string, value: unknown): boolean {
  try {
    return deepEqual(canonicalOf(kind, { ...aws, [key]: value }, aws)[key], aws[key]);
  } catch {
    // A form the kind refuses (SpecInvalid) means nothing AWS has.
    return false;
  }
}

/**
 * What to remember of a written spec: the fields whose form differs from AWS's canonical form
 * (`aws`, tags included when there are some) while meaning the same. Undefined when nothing differs.
 */
export function specShapeOf(kind: KindDefinition, written: Spec, aws: Spec): Spec | undefined {
  const shape: Spec = {};
  for (const [key, value] of Object.entries(written)) {
    if (value === undefined || deepEqual(overlay(aws[key], value), aws[key])) continue;
    if (agrees(kind, aws, key, value)) shape[key] = value;
  }
  return Object.keys(shape).length ? shape : undefined;
}

/** The spec to show: AWS's, in the remembered form wherever AWS still agrees with it. */
export function renderSpec(kind: KindDefinition, aws: Spec, shape: Spec | undefined): Spec {
  if (!shape) return aws;
  const out: Spec = { ...aws };
  for (const [key, value] of Object.entries(shape)) {
    if (agrees(kind, aws, key, value)) out[key] = overlay(aws[key], value);
  }
  return out;
}

// ---------------------------------------------------------------- defaults passing through writes

/** The spec fields some manager owns; undefined when no manager is recorded (then all count as written). */
function ownedSpecFields(kind: KindDefinition, entries: ManagedFieldsEntry[] | undefined): FieldSet | undefined {
  if (!entries?.length) return undefined;
  let owned = new FieldSet();
  for (const entry of entries) {
    try {
      owned = owned.union(FieldSet.fromFieldsV1(entry.fieldsV1 ?? {}).withPrefix({ field: specFieldOf(kind) }));
    } catch {
      return undefined;
    }
  }
  return owned;
}

function valueAt(root: unknown, path: Path, type: TypeRef): unknown {
  let node = root;
  let nodeType: TypeRef | undefined = type;
  for (const pe of path) {
    const list = nodeType?.list;
    if ('field' in pe) {
      const map = asMap(node);
      node = map?.[pe.field];
      nodeType = nodeType?.map ? fieldType(nodeType.map, pe.field) : undefined;
    } else if (list) {
      node = asList(node)?.find((item) => safeKey(list, item) === peKey(pe));
      nodeType = list.elementType;
    } else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

function safeKey(list: NonNullable<TypeRef['list']>, item: unknown): string | undefined {
  try {
    return peKey(itemElement(list, item));
  } catch {
    return undefined;
  }
}

/** A copy of `root` without the values at `paths` (fields deleted, list items removed). */
function withoutPaths(root: Spec, paths: Path[], type: TypeRef): Spec {
  const copy = structuredClone(root);
  for (const path of paths) {
    const parent = valueAt(copy, path.slice(0, -1), type);
    const last = path[path.length - 1];
    if ('field' in last && isPlainObject(parent)) delete parent[last.field];
    else if (Array.isArray(parent)) {
      const list = listTypeAt(type, path.slice(0, -1));
      const index = list ? parent.findIndex((item) => safeKey(list, item) === peKey(last)) : -1;
      if (index >= 0) parent.splice(index, 1);
    }
  }
  return copy;
}

function listTypeAt(type: TypeRef, path: Path): TypeRef['list'] {
  let node: TypeRef | undefined = type;
  for (const pe of path) {
    if ('field' in pe) node = node?.map ? fieldType(node.map, pe.field) : undefined;
    else node = node?.list?.elementType;
  }
  return node?.list;
}

/**
 * The spec a write asks for: `next` without the values nobody owns that are still the defaults the
 * last rendering showed (`previous` is the last written spec's owners' view, `aws` the spec AWS has).
 */
export function withoutPassThroughDefaults(kind: KindDefinition, next: Spec, nextManagedFields: ManagedFieldsEntry[] | undefined, previous: { spec: Spec; managedFields: ManagedFieldsEntry[] | undefined }, aws: Spec): Spec {
  const type = specType(kind);
  const owned = ownedSpecFields(kind, nextManagedFields);
  const previouslyOwned = ownedSpecFields(kind, previous.managedFields);
  // Without a record of who wrote what, everything shown counts as written.
  if (!owned || !previouslyOwned) return next;
  const defaults = defaultsOf(kind, projection(previous.spec, previouslyOwned, type), aws);
  if (!defaults) return next;
  const passThrough = toFieldSet(next, type)
    .leaves()
    .paths()
    .filter((path) => !owned.has(path) && !previouslyOwned.has(path) && deepEqual(valueAt(next, path, type), valueAt(defaults, path, type)));
  return withoutPaths(next, passThrough, type);
}

/**
 * The spec the kind makes of what the managers own (every default filled in); undefined when what
 * they own is no spec the kind takes. managedFields are the client's to write (a JSON patch may leave
 * a required field owned by nobody), so they never make a write fail: then nothing passes through.
 */
function defaultsOf(kind: KindDefinition, owned: Spec, aws: Spec): Spec | undefined {
  if (validateAgainstSchema(owned, specSchemaOf(kind), specFieldOf(kind)).length) return undefined;
  try {
    return canonicalOf(kind, owned, aws);
  } catch (error) {
    if (error instanceof SpecInvalid) return undefined;
    throw error;
  }
}

/** The parts of `node` at the paths of `set` (a member without children keeps its whole value). */
function projection(node: unknown, set: FieldSet, type: TypeRef | undefined): Spec {
  return (project(node, set, type) ?? {}) as Spec;
}

function project(node: unknown, set: FieldSet, type: TypeRef | undefined): unknown {
  const keep = (pe: Parameters<FieldSet['withPrefix']>[0], value: unknown, childType: TypeRef | undefined): unknown => {
    const under = set.withPrefix(pe);
    if (!under.empty()) return project(value, under, childType);
    return set.hasMember(pe) ? value : undefined;
  };
  const map = asMap(node);
  if (map && type?.map) {
    const out: Spec = {};
    for (const [key, child] of Object.entries(map)) {
      const kept = keep({ field: key }, child, fieldType(type.map, key));
      if (kept !== undefined) out[key] = kept;
    }
    return out;
  }
  const list = asList(node);
  const listType = type?.list;
  if (list && listType?.relationship === 'associative') {
    return list.flatMap((item) => {
      const key = safeKey(listType, item);
      const kept = key === undefined ? undefined : keep(itemElement(listType, item), item, listType.elementType);
      return kept === undefined ? [] : [kept];
    });
  }
  return node;
}
