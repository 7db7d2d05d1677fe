// The spec in the user's form (registry/spec-shape.ts), for every example of every kind: what is shown
// holds every value of the manifest as written (so kubectl apply's three-way patch is empty), shows
// AWS's defaults for what the manifest left out, and remembering it again gives the same shape (so an
// unchanged apply writes nothing). Where AWS disagrees, AWS's value is shown.
import { readFileSync, readdirSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { GROUP_VERSION } from '../../src/api/types.js';
import { KINDS } from '../../src/kinds/index.js';
import { specFieldOf, type KindDefinition } from '../../src/registry/kind.js';
import { awsSpecOf } from '../../src/registry/objects.js';
import { canonicalOf, renderSpec, specShapeOf, withoutPassThroughDefaults } from '../../src/registry/spec-shape.js';

type Spec = Record<string, unknown>;

const examples = readdirSync('examples')
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(readFileSync(`examples/${f}`, 'utf8')).map((d) => d.toJS() as { apiVersion: string; kind: string; metadata: { name: string }; [root: string]: unknown }))
  .filter((d) => d?.apiVersion === GROUP_VERSION);


/** What AWS has after the manifest was written (canonical), in the form objects are rendered from. */
function awsAfter(kind: KindDefinition, spec: Spec): Spec {
  const { tags, ...rest } = canonicalOf(kind, spec);
  return awsSpecOf({ spec: rest, tags: (tags ?? {}) as Record<string, string> });
}

/** Whether `shown` holds every value of `written` (objects may hold more; lists and scalars exactly). */
function holds(shown: unknown, written: unknown): boolean {
  if (written && typeof written === 'object' && !Array.isArray(written) && shown && typeof shown === 'object' && !Array.isArray(shown)) {
    return Object.entries(written).every(([key, value]) => holds((shown as Spec)[key], value));
  }
  return JSON.stringify(shown) === JSON.stringify(written);
}

describe.each(examples.map((e) => [`${e.kind} ${e.metadata.name}`, e] as const))('%s', (_name, example) => {
  const kindOf = (): KindDefinition => {
    const kind = KINDS.find((k) => k.names.kind === example.kind);
    if (!kind) throw new Error(`no kind ${example.kind}`);
    return kind;
  };
  const spec = (example[specFieldOf(kindOf())] ?? {}) as Spec;

  test('is shown as written, with the defaults it left out, and its shape is a fixed point', () => {
    const kind = kindOf();
    const aws = awsAfter(kind, spec);
    const shape = specShapeOf(kind, spec, aws);
    const shown = renderSpec(kind, aws, shape);
    expect(holds(shown, spec)).toBe(true);
    // Every other field (defaults included) is AWS's; lists and values kept in the user's form are not.
    expect(Object.keys(aws).filter((key) => !(key in (shape ?? {})) && JSON.stringify(shown[key]) !== JSON.stringify(aws[key]))).toEqual([]);
    expect(specShapeOf(kind, shown, aws)).toEqual(shape);
    expect(canonicalOf(kind, shown, aws)).toEqual(canonicalOf(kind, spec, aws));
  });
});

test('where AWS disagrees with the remembered form, AWS is shown', () => {
  const kind = KINDS.find((k) => k.names.kind === 'DynamoDB') as KindDefinition;
  const written = { hashAttribute: { name: 'id' }, globalSecondaryIndexes: [{ indexName: 'b', hashAttribute: { name: 'b' } }, { indexName: 'a', hashAttribute: { name: 'a' } }] };
  const aws = awsAfter(kind, written);
  const shape = specShapeOf(kind, written, aws);
  expect(renderSpec(kind, aws, shape).globalSecondaryIndexes).toEqual(written.globalSecondaryIndexes);
  // Someone removed index b in the console: the shown list is AWS's.
  const changed = { ...aws, globalSecondaryIndexes: (aws.globalSecondaryIndexes as Spec[]).filter((i) => i.indexName === 'a') };
  expect(renderSpec(kind, changed, shape).globalSecondaryIndexes).toEqual(changed.globalSecondaryIndexes);
});

test('managers that own only part of a spec (managedFields rewritten by a client) leave everything shown as written', () => {
  const kind = KINDS.find((k) => k.names.kind === 'DynamoDB') as KindDefinition;
  const written = { hashAttribute: { name: 'id', type: 'S' }, readCapacityUnits: 4, writeCapacityUnits: 1 };
  const aws = awsAfter(kind, written);
  const shown = renderSpec(kind, aws, specShapeOf(kind, written, aws));
  // kubectl owns readCapacityUnits alone: hashAttribute, required, is nobody's.
  const partial = [{ manager: 'kubectl', operation: 'Apply' as const, apiVersion: GROUP_VERSION, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:readCapacityUnits': {} } } }];
  const next = { ...shown, readCapacityUnits: 1 };
  expect(withoutPassThroughDefaults(kind, next, partial, { spec: shown, managedFields: partial }, aws)).toEqual(next);
});
