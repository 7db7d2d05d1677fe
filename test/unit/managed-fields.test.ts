// The field manager (structured-merge-diff semantics) on a small schema: FieldsV1 encoding, co-owned
// equal values, conflicts only on differing values, pruning of what a manager stops applying, list
// items by key, ownership taken by updates, kubectl's last-applied migration, force.
import { FieldManager } from '../../src/api/field-manager.js';
import { decodeManagedFields } from '../../src/api/managed-fields.js';
import type { Schema } from '../../src/api/schema.js';
import { structuralMetaSchema } from '../../src/api/openapi/meta-schemas.js';
import { field } from '../../src/api/smd/path.js';
import { toAtom } from '../../src/api/smd/schema.js';
import { FieldSet } from '../../src/api/smd/set.js';
import type { KubeObject } from '../../src/api/types.js';
import { oddManagedFields } from '../support/odd-managed-fields.js';
import { statusErrorOf } from '../support/status-errors.js';

const schema: Schema = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: structuralMetaSchema('ObjectMeta'),
    spec: {
      type: 'object',
      properties: {
        mode: { type: 'string' },
        size: { type: 'integer' },
        tags: { type: 'object', additionalProperties: { type: 'string' } },
        indexes: {
          type: 'array',
          items: { type: 'object', properties: { name: { type: 'string' }, size: { type: 'integer' }, projection: { type: 'object', properties: { type: { type: 'string' } } } } },
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
        },
        atomic: { type: 'array', items: { type: 'string' } },
        set: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
      },
    },
    status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  },
};

const manager = new FieldManager({ type: toAtom(schema), apiVersion: 'example.com/v1', kind: 'Thing', ignored: FieldSet.of([field('status')]) });

function thing(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't', ...metadata }, spec };
}

/** What the store does after a write: the object as stored, with a uid and resourceVersion. */
function stored(object: KubeObject): KubeObject {
  return { ...object, metadata: { ...object.metadata, uid: 'u1', resourceVersion: '1' } };
}

const owners = (object: KubeObject) => (object.metadata.managedFields ?? []).map((m) => `${m.manager}/${m.operation}`);
const fieldsOf = (object: KubeObject, name: string) => object.metadata.managedFields?.find((m) => m.manager === name)?.fieldsV1;

describe('apply', () => {
  const a = stored(manager.apply(undefined, thing({ mode: 'x', tags: { t: '1' }, indexes: [{ name: 'i', size: 1 }], atomic: ['p'], set: ['s'] }), 'a', false));

  test('records FieldsV1 with keyed items, set values, granular maps and atomic lists', () => {
    expect(fieldsOf(a, 'a')).toEqual({
      'f:spec': {
        'f:atomic': {},
        'f:indexes': { 'k:{"name":"i"}': { '.': {}, 'f:name': {}, 'f:size': {} } },
        'f:mode': {},
        'f:set': { 'v:"s"': {} },
        'f:tags': { 'f:t': {} },
      },
    });
    expect(Object.keys((fieldsOf(a, 'a') as Record<string, Record<string, unknown>>)['f:spec'])).toEqual(['f:atomic', 'f:indexes', 'f:mode', 'f:set', 'f:tags']);
  });

  test('a second manager applying the same values co-owns them, without conflict or change', () => {
    const b = manager.apply(a, thing({ mode: 'x', indexes: [{ name: 'i', size: 1 }] }), 'b', false);
    expect(b.spec).toEqual(a.spec);
    // b changed nothing, so its entry has no time, and sorts first (kube sorts by time, none as zero).
    expect(owners(b)).toEqual(['b/Apply', 'a/Apply']);
    expect(b.metadata.managedFields?.find((m) => m.manager === 'b')?.time).toBeUndefined();
  });

  test('a differing value conflicts, naming the owner and the path; force takes it over', () => {
    const conflict = statusErrorOf(() => manager.apply(a, thing({ indexes: [{ name: 'i', size: 2 }] }), 'b', false));
    expect(conflict.code).toBe(409);
    expect(conflict.message).toBe('Apply failed with 1 conflict: conflict with "a": .spec.indexes[name="i"].size');
    expect(conflict.details?.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "a"', field: '.spec.indexes[name="i"].size' }]);
    const forced = manager.apply(a, thing({ indexes: [{ name: 'i', size: 2 }] }), 'b', true);
    expect((forced.spec?.indexes as { size: number }[])[0].size).toBe(2);
    expect(fieldsOf(forced, 'a')).not.toHaveProperty(['f:spec', 'f:indexes', 'k:{"name":"i"}', 'f:size']);
  });

  test('fields a manager stops applying are removed, unless someone else owns them', () => {
    const coOwned = stored(manager.apply(a, thing({ mode: 'x' }), 'b', false));
    const dropped = manager.apply(coOwned, thing({ tags: { t: '1' } }), 'a', false);
    expect(dropped.spec).toEqual({ mode: 'x', tags: { t: '1' } });
  });

  test('reapplying the same configuration changes nothing, not even the time', () => {
    const again = manager.apply(a, thing({ mode: 'x', tags: { t: '1' }, indexes: [{ name: 'i', size: 1 }], atomic: ['p'], set: ['s'] }), 'a', false);
    expect(again).toEqual(a);
  });

  test('new list items keep the order the configuration gives them', () => {
    const more = manager.apply(a, thing({ mode: 'x', tags: { t: '1' }, indexes: [{ name: 'h' }, { name: 'i', size: 1 }, { name: 'j' }], atomic: ['p'], set: ['s'] }), 'a', false);
    expect((more.spec?.indexes as { name: string }[]).map((i) => i.name)).toEqual(['h', 'i', 'j']);
  });
});

describe('update', () => {
  test('a create owns what it set; an update takes the fields it changes from appliers', () => {
    const created = stored(manager.update(undefined, thing({ mode: 'x', size: 1 }), 'kubectl-create'));
    expect(owners(created)).toEqual(['kubectl-create/Update']);
    const applied = stored(manager.apply(created, thing({ mode: 'x', size: 1 }), 'a', false));
    const patched = manager.update(applied, { ...applied, spec: { mode: 'y', size: 1 } }, 'kubectl-patch');
    expect(fieldsOf(patched, 'kubectl-patch')).toEqual({ 'f:spec': { 'f:mode': {} } });
    expect(fieldsOf(patched, 'a')).toEqual({ 'f:spec': { 'f:size': {} } });
    const conflict = statusErrorOf(() => manager.apply(stored(patched), thing({ mode: 'x', size: 1 }), 'a', false));
    expect(conflict.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-patch" using example.com/v1: .spec.mode');
  });

  test('an object nobody tracks stays untracked by updates; its first apply gives what exists to before-first-apply', () => {
    const untracked = stored(thing({ mode: 'x', size: 1 }));
    expect(manager.update(untracked, { ...untracked, spec: { mode: 'y', size: 1 } }, 'p').metadata.managedFields).toBeUndefined();
    const applied = manager.apply(untracked, thing({ mode: 'x' }), 'a', false);
    expect(owners(applied)).toEqual(['a/Apply', 'before-first-apply/Update']);
  });

  test('managedFields sent with an update replace the recorded ones; [] resets them', () => {
    const created = stored(manager.update(undefined, thing({ mode: 'x' }), 'c'));
    const rewritten = [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'example.com/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:mode': {} } } }];
    expect(owners(manager.update(created, { ...created, metadata: { ...created.metadata, managedFields: rewritten } }, 'c'))).toEqual(['kubectl/Apply']);
    expect(manager.update(created, { ...created, metadata: { ...created.metadata, managedFields: [] } }, 'c').metadata.managedFields).toBeUndefined();
  });
});

describe("kubectl's move from client-side to server-side apply", () => {
  const manifest = thing({ mode: 'x', size: 1 });
  const lastApplied = `${JSON.stringify(manifest)}\n`;
  const clientSide = stored(manager.update(undefined, thing({ mode: 'x', size: 1 }, { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } }), 'kubectl-client-side-apply'));

  test('kubectl may take fields its client-side apply set (still as last applied), and the annotation follows', () => {
    const changed = manager.apply(clientSide, thing({ mode: 'y', size: 1 }), 'kubectl', false);
    expect(changed.spec).toEqual({ mode: 'y', size: 1 });
    expect(JSON.parse(changed.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] ?? '')).toEqual(thing({ mode: 'y', size: 1 }));
  });

  test('another manager still conflicts', () => {
    expect(statusErrorOf(() => manager.apply(clientSide, thing({ mode: 'y' }), 'flux', false)).code).toBe(409);
  });
});

describe('managedFields a client wrote, whatever they hold', () => {
  const created = stored(manager.apply(undefined, thing({ mode: 'x', size: 1, indexes: [{ name: 'i', size: 1 }] }), 'a', false));

  test.each(oddManagedFields('example.com/v1', { scalar: 'size', other: 'mode', list: 'indexes', map: 'tags' }).map((entries, i) => [i, entries] as const))('case %i: the write and the applies after it succeed, with entries that decode', (_i, entries) => {
    const written = stored(manager.update(created, { ...created, metadata: { ...created.metadata, managedFields: entries as never } }, 'patcher'));
    const check = (object: KubeObject) => expect(() => decodeManagedFields(object.metadata.managedFields)).not.toThrow();
    check(written);
    for (const applier of ['a', 'kubectl', 'b']) {
      const applied = stored(manager.apply(written, thing({ mode: 'x', size: 2, indexes: [{ name: 'i', size: 1 }] }), applier, true));
      check(applied);
      expect(applied.spec?.size).toBe(2);
    }
  });

  test('live entries that do not decode (AWS tags edited by hand) are a reset: the apply owns anew', () => {
    const broken = { ...created, metadata: { ...created.metadata, managedFields: [{ manager: 'a', operation: 'Sideways' }] as never } };
    const applied = manager.apply(broken, thing({ mode: 'x' }), 'a', false);
    expect(owners(applied)).toEqual(['a/Apply', 'before-first-apply/Update']);
    expect(fieldsOf(applied, 'a')).toEqual({ 'f:spec': { 'f:mode': {} } });
  });
});
