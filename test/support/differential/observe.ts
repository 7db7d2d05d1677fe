// What a differential test compares after each step: the object as kube-apiserver serves it (spec,
// labels, annotations with the last-applied configuration read as JSON, finalizers, managedFields
// with times reduced to "has one"), whether it was written (its resourceVersion changed), and the
// answer. The server's spec may hold more than the CRD's: defaults and what AWS chose, which no
// manager owns (docs/apply-and-patch.md lists these differences); everything else must be equal.
import { FieldSet } from '../../../src/api/smd/set.js';
import type { Path } from '../../../src/api/smd/path.js';
import type { ManagedFieldsEntry } from '../../../src/api/types.js';
import { awsWriteCalls } from '../aws-metrics.js';
import type { TestCluster } from '../real-cluster.js';
import type { Answer, Subject } from './harness.js';
import { eventually } from '../eventually.js';
import { normalizeGroup, SERVER, type Target } from './targets.js';

export interface ObjectView {
  resourceVersion: string;
  /** Where the kind's desired state lives: `spec`, or `data` (CloudFormationTemplate). */
  specField: string;
  spec: unknown;
  labels?: unknown;
  annotations?: Record<string, unknown>;
  finalizers?: unknown;
  managedFields?: unknown[];
}

export interface Observation {
  answer: Answer;
  object?: ObjectView;
  wrote: boolean;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function managedFieldsView(entries: ManagedFieldsEntry[] | undefined): unknown[] | undefined {
  return entries?.map(({ time, apiVersion, ...entry }) => ({ ...entry, apiVersion: normalizeGroup(apiVersion ?? ''), time: time !== undefined }));
}

/** The last-applied configuration as JSON; `spec: null` read as `spec: {}` (see targets.ts). */
function lastAppliedView(text: string): unknown {
  const parsed = JSON.parse(normalizeGroup(text)) as Record<string, unknown>;
  return parsed.spec === null ? { ...parsed, spec: {} } : parsed;
}

export async function observeObject(t: TestCluster, target: Target, subject: Subject): Promise<ObjectView | undefined> {
  const answer = await t.cluster.cp.get(target.path(subject.namespace, subject.plural, subject.name));
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw new Error(`GET ${subject.plural}/${subject.name} on ${target.name}: ${answer.status} ${answer.body}`);
  const object = JSON.parse(answer.body) as Record<string, unknown> & { metadata: { resourceVersion: string; labels?: unknown; annotations?: Record<string, string>; finalizers?: unknown; managedFields?: ManagedFieldsEntry[] } };
  const { [LAST_APPLIED]: lastApplied, ...annotations } = object.metadata.annotations ?? {};
  return {
    resourceVersion: object.metadata.resourceVersion,
    specField: subject.specField,
    // No spec and an empty one read alike (a CRD stores none when none was written).
    spec: object[subject.specField] ?? {},
    ...(object.metadata.labels ? { labels: object.metadata.labels } : {}),
    ...(object.metadata.annotations ? { annotations: { ...annotations, ...(lastApplied !== undefined ? { [LAST_APPLIED]: lastAppliedView(lastApplied) } : {}) } } : {}),
    ...(object.metadata.finalizers ? { finalizers: object.metadata.finalizers } : {}),
    ...(object.metadata.managedFields ? { managedFields: managedFieldsView(object.metadata.managedFields) } : {}),
  };
}

/**
 * Waits until AWS has finished what the last step started on the server's object (an ElastiCache
 * cluster takes seconds to become available): its Ready condition True, failed for good, or waiting
 * for objects it names. A CRD object never changes by itself; this one changes once, when AWS is done,
 * and that change belongs to the step that caused it, not to the next.
 */
export async function awsSettled(t: TestCluster, subject: Subject): Promise<void> {
  await eventually(`${subject.plural}/${subject.name} to settle in AWS`, async () => {
    const answer = await t.cluster.cp.get(SERVER.path(subject.namespace, subject.plural, subject.name));
    if (answer.status === 404) return true;
    const conditions = (JSON.parse(answer.body) as { status?: { conditions?: { type: string; status: string; reason: string }[] } }).status?.conditions;
    const ready = conditions?.find((c) => c.type === 'Ready');
    return ready?.status === 'True' || ready?.reason === 'Failed' || ready?.reason === 'WaitingForReferences';
  }, { timeoutMs: 120_000, intervalMs: 250 });
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ownedSpec(object: ObjectView): FieldSet {
  return (object.managedFields ?? []).reduce<FieldSet>((all, entry) => all.union(FieldSet.fromFieldsV1((entry as { fieldsV1?: unknown }).fieldsV1 ?? {}).withPrefix({ field: object.specField })), new FieldSet());
}

/** Whether the field at `path`, or anything under it, is owned (an owned parent struct owns only itself). */
function ownsAnything(owned: FieldSet, path: Path): boolean {
  let node = owned;
  for (const pe of path.slice(0, -1)) node = node.withPrefix(pe);
  const last = path[path.length - 1];
  return node.hasMember(last) || !node.withPrefix(last).empty();
}

/** JSON with object keys sorted: key order means nothing to clients. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (isPlain(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stable(value[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'undefined';
}

/** Where the CRD's spec is not the server's, or the server has a field some manager owns that the CRD lacks. */
function specDifferences(server: unknown, crd: unknown, owned: FieldSet, path: Path = []): string[] {
  const at = path.map((pe) => ('field' in pe ? `.${pe.field}` : '[]')).join('') || '.';
  if (isPlain(server) && isPlain(crd)) {
    return [...new Set([...Object.keys(server), ...Object.keys(crd)])].flatMap((key) => {
      const childPath = [...path, { field: key }];
      if (!(key in crd)) return ownsAnything(owned, childPath) ? [`spec${at === '.' ? '' : at}.${key}: the server has ${JSON.stringify(server[key])}, owned by a manager, the CRD nothing`] : [];
      if (!(key in server)) return [`spec${at === '.' ? '' : at}.${key}: the CRD has ${JSON.stringify(crd[key])}, the server nothing`];
      return specDifferences(server[key], crd[key], owned, childPath);
    });
  }
  return stable(server) === stable(crd) ? [] : [`spec${at === '.' ? '' : at}: the server has ${stable(server)}, the CRD ${stable(crd)}`];
}

/** Every difference between the two sides after one step, in words; empty when they agree. */
export function differences(server: Observation, crd: Observation): string[] {
  const out: string[] = [];
  const same = (what: string, a: unknown, b: unknown) => {
    if (stable(a) !== stable(b)) out.push(`${what}: the server ${stable(a)}, the CRD ${stable(b)}`);
  };
  same('answer', server.answer, crd.answer);
  same('wrote', server.wrote, crd.wrote);
  if (!server.object || !crd.object) {
    same('exists', !!server.object, !!crd.object);
    return out;
  }
  out.push(...specDifferences(server.object.spec, crd.object.spec, ownedSpec(server.object)));
  for (const key of ['labels', 'annotations', 'finalizers'] as const) same(key, server.object[key], crd.object[key]);
  out.push(...managedFieldsDifferences(server.object.managedFields ?? [], crd.object.managedFields ?? []));
  return out;
}

/** Entry by entry (by manager, operation and subresource), so a report names only what differs. */
function managedFieldsDifferences(server: unknown[], crd: unknown[]): string[] {
  const key = (entry: unknown) => {
    const e = entry as { manager?: string; operation?: string; subresource?: string };
    return `${e.manager ?? ''}/${e.operation ?? ''}${e.subresource ? `/${e.subresource}` : ''}`;
  };
  // kube sorts entries by the second they were written in: the order depends on timing, not on semantics.
  const managers = (entries: unknown[]) => entries.map(key).sort().join(', ');
  const out: string[] = managers(server) === managers(crd) ? [] : [`managers: the server ${managers(server)}, the CRD ${managers(crd)}`];
  for (const entry of server) {
    const other = crd.find((c) => key(c) === key(entry));
    if (other && stable(entry) !== stable(other)) out.push(`managedFields ${key(entry)}: the server ${stable(entry)}, the CRD ${stable(other)}`);
  }
  return out;
}

/** AWS calls that change something, so far (the server's aws_api_calls_total, reads excluded). */
export function serverAwsWriteCalls(t: TestCluster): Promise<number> {
  return awsWriteCalls(() => t.proxied({ user: 'metrics-reader', groups: ['system:masters'] }, '/metrics'));
}
