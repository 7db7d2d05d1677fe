// Sets of field paths (fieldpath/set.go) and their FieldsV1 encoding (serialize.go). A set holds
// members (paths that end here) and children (sets under a path element); `.` in FieldsV1 marks a
// path that is both. Operations keep elements sorted, so FieldsV1 comes out in kube's order.
import { comparePathElements, deserializePathElement, serializePathElement, type Path, type PathElement } from './path.js';
import { resolve, type TypeRef } from './schema.js';

interface Child {
  pe: PathElement;
  set: FieldSet;
}

/** Binary search: the index of `pe`, or -(insertion point) - 1. */
function search<T>(items: T[], pe: PathElement, get: (item: T) => PathElement): number {
  let lo = 0;
  let hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = comparePathElements(get(items[mid]), pe);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

const self = (pe: PathElement): PathElement => pe;
const childPe = (c: Child): PathElement => c.pe;

/** Merges two sorted lists, combining equal elements with `both` (dropped when it returns undefined). */
function mergeSorted<T>(a: T[], b: T[], get: (item: T) => PathElement, keep: { a: boolean; b: boolean }, both: (x: T, y: T) => T | undefined): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const c = comparePathElements(get(a[i]), get(b[j]));
    if (c < 0) {
      if (keep.a) out.push(a[i]);
      i++;
    } else if (c > 0) {
      if (keep.b) out.push(b[j]);
      j++;
    } else {
      const merged = both(a[i], b[j]);
      if (merged !== undefined) out.push(merged);
      i++;
      j++;
    }
  }
  if (keep.a) out.push(...a.slice(i));
  if (keep.b) out.push(...b.slice(j));
  return out;
}

export class FieldSet {
  constructor(
    readonly members: PathElement[] = [],
    readonly children: Child[] = [],
  ) {}

  static of(...paths: Path[]): FieldSet {
    const set = new FieldSet();
    for (const path of paths) set.insert(path);
    return set;
  }

  insert(path: Path): void {
    if (path.length === 0) return;
    if (path.length === 1) {
      const at = search(this.members, path[0], self);
      if (at < 0) this.members.splice(-at - 1, 0, path[0]);
      return;
    }
    this.descend(path[0]).insert(path.slice(1));
  }

  /** The set under `pe`, made when there is none. */
  private descend(pe: PathElement): FieldSet {
    const at = search(this.children, pe, childPe);
    if (at >= 0) return this.children[at].set;
    const child = { pe, set: new FieldSet() };
    this.children.splice(-at - 1, 0, child);
    return child.set;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    if (path.length === 1) return this.hasMember(path[0]);
    return this.child(path[0])?.has(path.slice(1)) ?? false;
  }

  private child(pe: PathElement): FieldSet | undefined {
    const at = search(this.children, pe, childPe);
    return at >= 0 ? this.children[at].set : undefined;
  }

  /** The set under `pe` (empty when there is none). */
  withPrefix(pe: PathElement): FieldSet {
    return this.child(pe) ?? new FieldSet();
  }

  hasMember(pe: PathElement): boolean {
    return search(this.members, pe, self) >= 0;
  }

  empty(): boolean {
    return this.members.length === 0 && this.children.every((c) => c.set.empty());
  }

  union(other: FieldSet): FieldSet {
    return new FieldSet(
      mergeSorted(this.members, other.members, self, { a: true, b: true }, (x) => x),
      mergeSorted(this.children, other.children, childPe, { a: true, b: true }, (x, y) => ({ pe: x.pe, set: x.set.union(y.set) })),
    );
  }

  intersection(other: FieldSet): FieldSet {
    return new FieldSet(
      mergeSorted(this.members, other.members, self, { a: false, b: false }, (x) => x),
      mergeSorted(this.children, other.children, childPe, { a: false, b: false }, (x, y) => {
        const set = x.set.intersection(y.set);
        return set.empty() ? undefined : { pe: x.pe, set };
      }),
    );
  }

  /** Members and children removed level by level: a member of `other` does not remove children. */
  difference(other: FieldSet): FieldSet {
    return new FieldSet(
      mergeSorted(this.members, other.members, self, { a: true, b: false }, () => undefined),
      mergeSorted(this.children, other.children, childPe, { a: true, b: false }, (x, y) => {
        const set = x.set.difference(y.set);
        return set.empty() ? undefined : { pe: x.pe, set };
      }),
    );
  }

  /** Like difference, but a member of `other` also removes everything under it. */
  recursiveDifference(other: FieldSet): FieldSet {
    const children = this.children
      .filter((c) => !other.hasMember(c.pe))
      .flatMap((c) => {
        const under = other.child(c.pe);
        if (!under) return [c];
        const set = c.set.recursiveDifference(under);
        return set.empty() ? [] : [{ pe: c.pe, set }];
      });
    return new FieldSet(mergeSorted(this.members, other.members, self, { a: true, b: false }, () => undefined), children);
  }

  /** Every path, members of a level before its children (Set.Iterate order). */
  paths(prefix: Path = []): Path[] {
    return [...this.members.map((pe) => [...prefix, pe]), ...this.children.flatMap((c) => c.set.paths([...prefix, c.pe]))];
  }

  /** Members that are not also a prefix of children. */
  leaves(): FieldSet {
    return new FieldSet(
      this.members.filter((pe) => search(this.children, pe, childPe) < 0),
      this.children.map((c) => ({ pe: c.pe, set: c.set.leaves() })),
    );
  }

  /** Makes struct fields that have children members too, so removing them removes the whole field. */
  ensureNamedFieldsAreMembers(type: TypeRef | undefined): FieldSet {
    const atom = resolve(type);
    const members = [...this.members];
    for (const c of this.children) {
      const at = search(members, c.pe, self);
      if ('field' in c.pe && atom.map?.fields.has(c.pe.field) && at < 0) members.splice(-at - 1, 0, c.pe);
    }
    const children = this.children.map((c) => {
      let childType: TypeRef | undefined;
      if ('field' in c.pe && atom.map) childType = atom.map.fields.get(c.pe.field) ?? atom.map.elementType;
      else if ('key' in c.pe && atom.list) childType = atom.list.elementType;
      return { pe: c.pe, set: c.set.ensureNamedFieldsAreMembers(childType) };
    });
    return new FieldSet(members, children);
  }

  /** The FieldsV1 object. */
  toFieldsV1(): Record<string, unknown> {
    return this.emit(false);
  }

  private emit(includeSelf: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (includeSelf && (this.members.length || this.children.length)) out['.'] = {};
    const entries = mergeSorted<{ pe: PathElement; member?: boolean; set?: FieldSet }>(
      this.members.map((pe) => ({ pe, member: true })),
      this.children.map((c) => ({ pe: c.pe, set: c.set })),
      (e) => e.pe,
      { a: true, b: true },
      (_member, c) => ({ pe: c.pe, member: true, set: c.set }),
    );
    for (const entry of entries) out[serializePathElement(entry.pe)] = entry.set ? entry.set.emit(!!entry.member) : {};
    return out;
  }

  /** Parses FieldsV1 (throws on malformed input, as kube's decoder reports it). */
  static fromFieldsV1(fields: unknown): FieldSet {
    return readLevel(fields).children ?? new FieldSet();
  }
}

function readLevel(fields: unknown): { children?: FieldSet; isMember: boolean } {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new Error('FieldsV1 must be a JSON object');
  let children: FieldSet | undefined;
  let isMember = false;
  for (const [key, value] of Object.entries(fields)) {
    if (key === '.') {
      isMember = true;
      continue;
    }
    const pe = deserializePathElement(key);
    if (!pe) continue;
    const sub = readLevel(value);
    children ??= new FieldSet();
    if (sub.isMember) children.insert([pe]);
    if (sub.children) {
      const at = search(children.children, pe, childPe);
      if (at >= 0) children.children[at].set = children.children[at].set.union(sub.children);
      else children.children.splice(-at - 1, 0, { pe, set: sub.children });
    }
  }
  return { ...(children ? { children } : {}), isMember: isMember || !children };
}
