// The differential scenarios, as data: a subject (kind and name), what both sides need first, and
// steps. A new scenario is an entry here; a new kind is an entry in SUBJECTS (and its examples are
// picked up from examples/). docs/apply-and-patch.md explains what is compared and what differs.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { GROUP_VERSION } from '../../../src/api/types.js';
import { KINDS } from '../../../src/kinds/index.js';
import { specFieldOf } from '../../../src/registry/kind.js';
import { repoRoot } from '../paths.js';
import type { Body, Step } from './harness.js';

export interface Scenario {
  name: string;
  kind: string;
  plural: string;
  specField: string;
  object: string;
  /** Objects both sides need first, applied client-side (a subscription's topic and queue). */
  before?: Body[];
  steps: Step[];
  /** Differences by design (docs/apply-and-patch.md), each with why: a report line matching one is accepted. */
  tolerate?: Tolerated[];
}

export interface Tolerated {
  difference: RegExp;
  why: string;
}

type Manifest = Record<string, unknown> & { kind: string; metadata: { name: string; resourceVersion?: string } };

const kindNamed = (name: string) => {
  const kind = KINDS.find((k) => k.names.kind === name);
  if (!kind) throw new Error(`no kind ${name}`);
  return kind;
};

const object = (kind: string, name: string, spec: unknown, metadata: Record<string, unknown> = {}): Manifest => ({ apiVersion: GROUP_VERSION, kind, metadata: { name, ...metadata }, spec });

const scenario = (name: string, manifest: Manifest, steps: Step[], before?: Body[], tolerate?: Tolerated[]): Scenario => ({
  name,
  kind: manifest.kind,
  plural: kindNamed(manifest.kind).names.plural,
  specField: specFieldOf(kindNamed(manifest.kind)),
  object: manifest.metadata.name,
  ...(before ? { before } : {}),
  steps,
  ...(tolerate ? { tolerate } : {}),
});

/** The spec of our objects always exists (AWS has settings): applying an empty or null spec creates nothing. */
const SPEC_ALWAYS_EXISTS: Tolerated = {
  difference: /^managedFields \S+\/Apply: the server .*"time":false.*, the CRD .*"time":true/,
  why: 'an apply of an empty spec changes nothing here (the spec exists, from AWS), so the manager gets no time; a CRD creates the empty spec',
};

/** After managedFields are reset, the first apply gives what the object shows to before-first-apply. */
const DEFAULTS_BEFORE_FIRST_APPLY: Tolerated = {
  difference: /^(spec\.\S+: the server has .*, owned by a manager, the CRD nothing|managedFields before-first-apply\/Update: .*)$/,
  why: 'the object shows AWS defaults, which a reset of managedFields leaves nobody owning; the next apply gives them to before-first-apply with the rest',
};

/** kube answers a configuration its typed conversion refuses with a 500 (kubernetes/kubernetes#139253). */
const TYPED_PATCH_ERROR_IS_4XX: Tolerated = {
  difference: /^answer: the server \{"code":400,"said":\{"message":"failed to create typed patch object .*, the CRD \{"code":500,"said":\{"message":"failed to create typed patch object /,
  why: 'the server answers 400 where kube-apiserver answers 500: the request is at fault',
};

// ------------------------------------------------------------------ steps

const csa = (manifest: Body): Step => ({ kubectl: ['apply', '-f', '{file}'], manifest });
const ssa = (manifest: Body, manager = 'kubectl', ...flags: string[]): Step => ({ kubectl: ['apply', '--server-side', `--field-manager=${manager}`, ...flags, '-f', '{file}'], manifest });
const request = (method: string, query: string, body?: Body | string, contentType?: string): Step => ({ request: { method, query, ...(body !== undefined ? { body } : {}), ...(contentType ? { contentType } : {}) } });
const applyPatch = (manager: string, body: Body, extra = ''): Step => request('PATCH', `fieldManager=${manager}${extra}`, body, 'application/apply-patch+yaml');
const mergePatch = (body: Body, query = ''): Step => request('PATCH', query, body, 'application/merge-patch+json');
const postObject = (body: Body, query = ''): Step => ({ request: { method: 'POST', collection: true, query, body } });

// ------------------------------------------------------------------ the examples, every kind

/** The documents of examples/ that are ours, in dependency order (topics and queues before subscriptions). */
export function exampleManifests(): Manifest[] {
  const dir = join(repoRoot(), 'examples');
  const documents = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => d.toJS() as Manifest))
    .filter((d) => d && d.apiVersion === GROUP_VERSION);
  return documents.sort((a, b) => Number(a.kind === 'SNSSubscription') - Number(b.kind === 'SNSSubscription'));
}

/** The example objects a manifest names in its spec (a subscription's topic and queue, a queue's dead-letter queue), deepest first. */
function dependencies(manifest: Manifest, all: Manifest[]): Manifest[] {
  const names = new Set<string>();
  const collect = (value: unknown): void => {
    if (typeof value === 'string') names.add(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(manifest.spec);
  collect(manifest.data);
  const direct = all.filter((m) => m !== manifest && names.has(m.metadata.name));
  return [...new Set(direct.flatMap((m) => [...dependencies(m, all), m]))];
}

/** Client-side twice, the move to server-side, two server-side managers twice each, client-side again. */
function exampleScenario(manifest: Manifest, all: Manifest[]): Scenario {
  const needed = dependencies(manifest, all);
  const before = needed.length ? needed : undefined;
  // `spec: null` is applied to the CRD as `spec: {}` (targets.ts), which kubectl then remembers as
  // last applied: a client-side apply after that would compare different manifests, so there is none.
  const nullSpec = manifest.spec === null;
  return scenario(
    `example ${manifest.kind} ${manifest.metadata.name}: applied twice client-side, moved to server-side, applied by two managers${nullSpec ? '' : ', then client-side again'}`,
    manifest,
    [csa(manifest), csa(manifest), ssa(manifest), ssa(manifest), ssa(manifest, 'argocd-controller'), ssa(manifest, 'argocd-controller'), ssa(manifest), ...(nullSpec ? [] : [csa(manifest)])],
    before,
    nullSpec ? [SPEC_ALWAYS_EXISTS] : undefined,
  );
}

// ------------------------------------------------------------------ server-side apply semantics

const table = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) => object('DynamoDB', 'orders', { hashAttribute: { name: 'id', type: 'S' }, ...spec }, metadata);
const gsi = (indexName: string, extra: Record<string, unknown> = {}) => ({ indexName, hashAttribute: { name: indexName, type: 'S' }, ...extra });

const ssaSemantics: Scenario[] = [
  scenario('two managers: equal values co-owned; a differing value conflicts; force takes it over', table({ readCapacityUnits: 1, writeCapacityUnits: 1 }), [
    applyPatch('flux', table({ readCapacityUnits: 1, writeCapacityUnits: 1 })),
    applyPatch('argo', table({ readCapacityUnits: 1, writeCapacityUnits: 1 })),
    applyPatch('argo', table({ readCapacityUnits: 2, writeCapacityUnits: 1 })),
    applyPatch('argo', table({ readCapacityUnits: 2, writeCapacityUnits: 1 }), '&force=true'),
    applyPatch('flux', table({ readCapacityUnits: 1, writeCapacityUnits: 1 })),
  ]),
  scenario('a field a manager stops applying goes, unless another manager owns it', table({ readCapacityUnits: 1, writeCapacityUnits: 1, pointInTimeRecovery: true, deletionProtection: false }), [
    applyPatch('flux', table({ readCapacityUnits: 1, writeCapacityUnits: 1, pointInTimeRecovery: true, deletionProtection: false })),
    applyPatch('argo', table({ readCapacityUnits: 1, writeCapacityUnits: 1, deletionProtection: false })),
    applyPatch('flux', table({ readCapacityUnits: 1, writeCapacityUnits: 1 })),
    applyPatch('argo', table({ readCapacityUnits: 1, writeCapacityUnits: 1 })),
  ]),
  scenario('list items by key: order as applied, items of two managers, an item removed', table({ globalSecondaryIndexes: [gsi('b'), gsi('a')] }), [
    applyPatch('flux', table({ globalSecondaryIndexes: [gsi('b'), gsi('a')] })),
    applyPatch('flux', table({ globalSecondaryIndexes: [gsi('b'), gsi('a')] })),
    applyPatch('argo', table({ globalSecondaryIndexes: [gsi('c')] })),
    applyPatch('flux', table({ globalSecondaryIndexes: [gsi('a')] })),
    applyPatch('argo', table({ globalSecondaryIndexes: [gsi('c', { projection: { type: 'KEYS_ONLY' } })] })),
  ]),
  scenario('a table with indexes (projections left to their default): client-side twice, then two managers server-side', table({ globalSecondaryIndexes: [gsi('by-email'), gsi('by-date')] }), [
    csa(table({ globalSecondaryIndexes: [gsi('by-email'), gsi('by-date')] })),
    csa(table({ globalSecondaryIndexes: [gsi('by-email'), gsi('by-date')] })),
    ssa(table({ globalSecondaryIndexes: [gsi('by-email'), gsi('by-date')] }), 'flux'),
    ssa(table({ globalSecondaryIndexes: [gsi('by-email'), gsi('by-date')] }), 'argocd-controller'),
    ssa(table({ globalSecondaryIndexes: [gsi('by-email'), gsi('by-date')] }), 'flux'),
    csa(table({ globalSecondaryIndexes: [gsi('by-email'), gsi('by-date')] })),
  ]),
  scenario('labels and annotations per key, a manager applying only metadata', table({}, { labels: { team: 'a' } }), [
    applyPatch('flux', table({}, { labels: { team: 'a' }, annotations: { note: 'x' } })),
    applyPatch('labeller', { apiVersion: GROUP_VERSION, kind: 'DynamoDB', metadata: { name: 'orders', labels: { tier: 'gold' } } }),
    applyPatch('labeller', { apiVersion: GROUP_VERSION, kind: 'DynamoDB', metadata: { name: 'orders', labels: { team: 'b' } } }),
    applyPatch('flux', table({}, { labels: { team: 'a' } })),
  ]),
  scenario('an update takes fields from an applier; the applier then conflicts with it', table({ readCapacityUnits: 1, writeCapacityUnits: 1 }), [
    applyPatch('flux', table({ readCapacityUnits: 1, writeCapacityUnits: 1 })),
    mergePatch({ spec: { readCapacityUnits: 3 } }, 'fieldManager=kubectl-edit'),
    applyPatch('flux', table({ readCapacityUnits: 1, writeCapacityUnits: 1 })),
    applyPatch('flux', table({ writeCapacityUnits: 1, readCapacityUnits: 3 })),
  ]),
  scenario(
    'an empty spec, by two managers, then a field',
    object('SNSTopic', 'events', {}),
    [
      applyPatch('flux', object('SNSTopic', 'events', {})),
      applyPatch('argo', object('SNSTopic', 'events', {})),
      applyPatch('argo', object('SNSTopic', 'events', { displayName: 'Events' })),
      applyPatch('flux', object('SNSTopic', 'events', null)),
    ],
    undefined,
    [SPEC_ALWAYS_EXISTS],
  ),
  scenario('kubectl: client-side apply, server-side migration, then a change', table({ readCapacityUnits: 1, writeCapacityUnits: 1 }), [
    csa(table({ readCapacityUnits: 1, writeCapacityUnits: 1 })),
    ssa(table({ readCapacityUnits: 1, writeCapacityUnits: 1 })),
    ssa(table({ readCapacityUnits: 2, writeCapacityUnits: 1 })),
    ssa(table({ readCapacityUnits: 2, writeCapacityUnits: 1 }), 'argo'),
    ssa(table({ readCapacityUnits: 3, writeCapacityUnits: 1 }), 'argo'),
    ssa(table({ readCapacityUnits: 3, writeCapacityUnits: 1 }), 'argo', '--force-conflicts'),
  ]),
];

// ------------------------------------------------------------------ patches, updates, edits

const jsonPatch = (operations: unknown[], query = ''): Step => request('PATCH', query, operations, 'application/json-patch+json');
const put = (body: Body, query = ''): Step => request('PUT', query, body);
const withVersion = (manifest: Manifest, resourceVersion: string): Manifest => ({ ...manifest, metadata: { ...manifest.metadata, resourceVersion } });
const provisioned = table({ readCapacityUnits: 1, writeCapacityUnits: 1 });

const writes: Scenario[] = [
  scenario('merge patches: change, remove with null, a stale resourceVersion; strategic merge is 415', provisioned, [
    csa(provisioned),
    mergePatch({ spec: { readCapacityUnits: 2 } }),
    mergePatch({ metadata: { labels: { team: 'a' } } }, 'fieldManager=labeller'),
    mergePatch({ metadata: { labels: { team: null } } }, 'fieldManager=labeller'),
    mergePatch({ metadata: { resourceVersion: '1' }, spec: { readCapacityUnits: 3 } }),
    request('PATCH', '', { spec: { readCapacityUnits: 3 } }, 'application/strategic-merge-patch+json'),
    { kubectl: ['patch', '{resource}', '{name}', '--type=merge', '-p', '{"spec":{"writeCapacityUnits":2}}'] },
    { kubectl: ['label', '{resource}', '{name}', 'tier=gold'] },
    { kubectl: ['annotate', '{resource}', '{name}', 'note=x'] },
  ]),
  scenario('JSON patches: replace, test, a path that is not there, managedFields rewritten', provisioned, [
    csa(provisioned),
    jsonPatch([{ op: 'replace', path: '/spec/readCapacityUnits', value: 4 }]),
    jsonPatch([{ op: 'test', path: '/spec/readCapacityUnits', value: 5 }, { op: 'replace', path: '/spec/readCapacityUnits', value: 6 }]),
    jsonPatch([{ op: 'remove', path: '/spec/nothing/there' }]),
    jsonPatch([{ op: 'test', path: '/metadata/resourceVersion', value: '{resourceVersion}' }, { op: 'replace', path: '/metadata/managedFields', value: [{ manager: 'kubectl', operation: 'Apply', apiVersion: GROUP_VERSION, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:readCapacityUnits': {} } } }] }]),
    ssa(provisioned),
  ]),
  scenario('PUT: without resourceVersion, stale, current; an apply then owns less', provisioned, [
    applyPatch('flux', provisioned),
    put(table({ readCapacityUnits: 2, writeCapacityUnits: 1 })),
    put(withVersion(table({ readCapacityUnits: 2, writeCapacityUnits: 1 }), '1')),
    put(withVersion(table({ readCapacityUnits: 2, writeCapacityUnits: 1 }), '{resourceVersion}'), 'fieldManager=replacer'),
    put(withVersion(table({ readCapacityUnits: 2, writeCapacityUnits: 1 }), '{resourceVersion}'), 'fieldManager=replacer'),
    applyPatch('flux', provisioned),
  ]),
  scenario(
    'managedFields reset: [{}] in a merge patch, [] in a PUT, then an apply',
    provisioned,
    [
      csa(provisioned),
      mergePatch({ metadata: { managedFields: [{}] } }),
      applyPatch('flux', provisioned),
      put(withVersion({ ...provisioned, metadata: { ...provisioned.metadata, managedFields: [] } } as Manifest, '{resourceVersion}')),
      applyPatch('flux', table({ readCapacityUnits: 2, writeCapacityUnits: 1 })),
    ],
    undefined,
    [DEFAULTS_BEFORE_FIRST_APPLY],
  ),
  scenario('dry runs: apply, patch and delete change nothing', provisioned, [
    csa(provisioned),
    applyPatch('flux', table({ readCapacityUnits: 2, writeCapacityUnits: 1 }), '&dryRun=All'),
    mergePatch({ spec: { readCapacityUnits: 3 } }, 'dryRun=All'),
    request('DELETE', 'dryRun=All'),
    { kubectl: ['delete', '{resource}', '{name}', '--dry-run=server'] },
  ]),
];

// ------------------------------------------------------------------ validation messages

const long = 'x'.repeat(300);

const validation: Scenario[] = [
  scenario('invalid objects: enum, type, minimum, pattern, a required field, too long, too many, unknown fields', provisioned, [
    postObject(table({ billingMode: 'FOO' })),
    postObject(table({ readCapacityUnits: 'five', writeCapacityUnits: 1 })),
    postObject(table({ readCapacityUnits: 0, writeCapacityUnits: 1 })),
    postObject(table({ tableName: 'not a table name!' })),
    postObject(object('DynamoDB', 'orders', { rangeAttribute: { name: 'x' } })),
    postObject(table({ tableName: long })),
    postObject(table({ globalSecondaryIndexes: Array.from({ length: 21 }, (_, i) => gsi(`index-${i}`)) })),
    postObject(table({ readCapacityUnits: 1, writeCapacityUnits: 1, unknownField: 1 }), 'fieldValidation=Strict'),
    postObject(table({ readCapacityUnits: 'five', tableName: long, billingMode: 'FOO' })),
    { kubectl: ['create', '-f', '{file}'], manifest: table({ tableName: long }) },
    csa(provisioned),
    mergePatch({ spec: { hashAttribute: null } }),
    applyPatch('flux', table({ globalSecondaryIndexes: [{ hashAttribute: { name: 'x' } }] })),
  ], undefined, [TYPED_PATCH_ERROR_IS_4XX]),
];

// ------------------------------------------------------------------ query parameters

const queries: Scenario[] = [
  scenario('query parameters: booleans, force on a merge patch, fieldManager, fieldValidation, dryRun values', provisioned, [
    csa(provisioned),
    mergePatch({ spec: { readCapacityUnits: 2 } }, 'force=false'),
    mergePatch({ spec: { readCapacityUnits: 2 } }, 'force=True'),
    applyPatch('flux', table({ readCapacityUnits: 3, writeCapacityUnits: 1 })),
    applyPatch('flux', table({ readCapacityUnits: 3, writeCapacityUnits: 1 }), '&force=True'),
    applyPatch('flux2', table({ readCapacityUnits: 4, writeCapacityUnits: 1 }), '&force'),
    request('PATCH', '', table({}), 'application/apply-patch+yaml'),
    mergePatch({ spec: { readCapacityUnits: 2 } }, `fieldManager=${'m'.repeat(129)}`),
    mergePatch({ spec: { readCapacityUnits: 2 } }, 'fieldManager=bad%07manager'),
    mergePatch({ spec: { readCapacityUnits: 2 } }, 'fieldManager=caf%C3%A9'),
    mergePatch({ spec: { readCapacityUnits: 2 } }, 'fieldValidation=Loose'),
    mergePatch({ spec: { readCapacityUnits: 2 } }, 'dryRun=Some'),
    request('DELETE', 'propagationPolicy=Sideways'),
    request('DELETE', '', { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', orphanDependents: false }),
    request('GET', 'watch&timeoutSeconds=1&fieldSelector=metadata.name=orders', undefined),
  ]),
  scenario('watch parameters: watch=True, 1, false, allowWatchBookmarks=True', provisioned, [
    csa(provisioned),
    { request: { method: 'GET', collection: true, query: 'watch=True&timeoutSeconds=1&fieldSelector=metadata.name%3Dorders' } },
    { request: { method: 'GET', collection: true, query: 'watch=1&timeoutSeconds=1&fieldSelector=metadata.name%3Dorders' } },
    { request: { method: 'GET', collection: true, query: 'watch&timeoutSeconds=1&fieldSelector=metadata.name%3Dorders' } },
    { request: { method: 'GET', collection: true, query: 'watch=false&fieldSelector=metadata.name%3Dorders' } },
    { request: { method: 'GET', collection: true, query: 'watch=FALSE&fieldSelector=metadata.name%3Dorders' } },
    { request: { method: 'GET', collection: true, query: 'watch=yes&allowWatchBookmarks=True&timeoutSeconds=1&fieldSelector=metadata.name%3Dorders' } },
  ]),
];

// ------------------------------------------------------------------ other clients

const clients: Scenario[] = [
  scenario('the official Python client: server-side apply, force=True, watch=True, replace without resourceVersion', provisioned, [
    { python: 'server-side-apply', body: provisioned, fieldManager: 'python-controller' },
    { python: 'server-side-apply', body: provisioned, fieldManager: 'python-controller' },
    { python: 'server-side-apply', body: table({ readCapacityUnits: 2, writeCapacityUnits: 1 }), fieldManager: 'other-python' },
    { python: 'server-side-apply', body: table({ readCapacityUnits: 2, writeCapacityUnits: 1 }), fieldManager: 'other-python', force: true },
    { python: 'merge-patch-force', body: { spec: { readCapacityUnits: 3 } } },
    { python: 'watch' },
    { python: 'replace', body: table({ readCapacityUnits: 2, writeCapacityUnits: 1 }) },
    { python: 'get' },
  ]),
  scenario('@kubernetes/client-node: server-side apply with and without force, merge patch, replace', provisioned, [
    { node: 'server-side-apply', body: provisioned, fieldManager: 'node-controller' },
    { node: 'server-side-apply', body: provisioned, fieldManager: 'node-controller' },
    { node: 'server-side-apply', body: table({ readCapacityUnits: 2, writeCapacityUnits: 1 }), fieldManager: 'other-node', force: false },
    { node: 'server-side-apply', body: table({ readCapacityUnits: 2, writeCapacityUnits: 1 }), fieldManager: 'other-node', force: true },
    { node: 'merge-patch', body: table({ readCapacityUnits: 3, writeCapacityUnits: 1 }) },
    { node: 'replace', body: table({ readCapacityUnits: 3, writeCapacityUnits: 1 }) },
  ]),
];

// ------------------------------------------------------------------ references to what does not exist yet

/** A GitOps tool applies a directory in one pass: a stack before the template and ConfigMap it names (it waits here). */
function danglingReferences(examples: Manifest[]): Scenario[] {
  return examples
    .filter((m) => m.kind === 'CloudFormationStack')
    .map((m) => scenario(`example ${m.kind} ${m.metadata.name} before what it names exists: server-side twice, client-side twice`, m, [ssa(m, 'flux-kustomize-controller'), ssa(m, 'flux-kustomize-controller'), csa(m), csa(m)]));
}

export function scenarios(): Scenario[] {
  const examples = exampleManifests();
  return [...examples.map((m) => exampleScenario(m, examples)), ...danglingReferences(examples), ...ssaSemantics, ...writes, ...validation, ...queries, ...clients];
}
