import { changedPaths, describePath, fieldSetOf, pathsOf, removeAt, valueAt } from '../../src/api/fieldsets.js';
import type { Schema } from '../../src/api/schema.js';
import type { KubeObject } from '../../src/api/types.js';
import dynamoDB from '../../src/kinds/dynamodb/index.js';
import { recordUpdate, serverSideApply } from '../../src/registry/managed-fields.js';

const schema: Schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        mode: { type: 'string' },
        tags: { type: 'object', additionalProperties: { type: 'string' } },
        indexes: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, size: { type: 'integer' } } }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
        atomic: { type: 'array', items: { type: 'string' } },
      },
    },
  },
};

describe('field sets', () => {
  const object = { spec: { mode: 'a', tags: { t: '1' }, indexes: [{ name: 'x', size: 1 }], atomic: ['p', 'q'] } };

  test('FieldsV1 with keyed list items, granular maps and atomic lists', () => {
    expect(fieldSetOf(object, schema)).toEqual({
      'f:spec': { 'f:mode': {}, 'f:tags': { 'f:t': {} }, 'f:indexes': { 'k:{"name":"x"}': { '.': {}, 'f:name': {}, 'f:size': {} } }, 'f:atomic': {} },
    });
  });

  test('paths read, remove and print like kube', () => {
    const path = ['f:spec', 'f:indexes', 'k:{"name":"x"}', 'f:size'];
    expect(valueAt(object, path)).toBe(1);
    expect(describePath(path)).toBe('.spec.indexes[name="x"].size');
    const copy = structuredClone(object);
    removeAt(copy, ['f:spec', 'f:indexes', 'k:{"name":"x"}', '.']);
    expect(copy.spec.indexes).toEqual([]);
    expect(pathsOf(fieldSetOf(object, schema))).toHaveLength(6);
  });

  test('changed paths', () => {
    const after = { spec: { ...object.spec, mode: 'b', indexes: [{ name: 'x', size: 2 }] } };
    expect(changedPaths(object, after, schema).map(describePath)).toEqual(['.spec.mode', '.spec.indexes[name="x"].size']);
  });
});

describe('server-side apply', () => {
  const base = { apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', metadata: { name: 't', namespace: 'ns' } };
  const config = (spec: Record<string, unknown>, labels?: Record<string, string>) => ({ ...base, metadata: { ...base.metadata, ...(labels ? { labels } : {}) }, spec }) as KubeObject;

  test('a first apply owns exactly what it sets', () => {
    const result = serverSideApply(dynamoDB, undefined, config({ hashAttribute: { name: 'id' }, readCapacityUnits: 1 }), 'flux', false);
    expect(result.managedFields).toEqual([expect.objectContaining({ manager: 'flux', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:hashAttribute': { 'f:name': {} }, 'f:readCapacityUnits': {} } } })]);
  });

  test('a field the manager stops applying is removed, unless another manager owns it', () => {
    const first = serverSideApply(dynamoDB, undefined, config({ hashAttribute: { name: 'id' }, readCapacityUnits: 1 }, { a: '1', b: '2' }), 'flux', false);
    const live = { ...first.object, metadata: { ...first.object.metadata, managedFields: first.managedFields } };
    const second = serverSideApply(dynamoDB, live, config({ hashAttribute: { name: 'id' } }, { a: '1' }), 'flux', false);
    expect(second.object.spec).toEqual({ hashAttribute: { name: 'id' } });
    expect(second.object.metadata.labels).toEqual({ a: '1' });
  });

  test('another manager\'s field set to a different value conflicts; the same value is shared; force takes it', () => {
    const created = config({ hashAttribute: { name: 'id', type: 'S' }, readCapacityUnits: 1 });
    const live = { ...created, metadata: { ...created.metadata, managedFields: recordUpdate(dynamoDB, undefined, created, 'kubectl-edit') } };
    expect(() => serverSideApply(dynamoDB, live, config({ readCapacityUnits: 2 }), 'flux', false)).toThrow(
      expect.objectContaining({ code: 409, message: 'Apply failed with 1 conflict: conflict with "kubectl-edit" using service-operator.aws/v1alpha1: .spec.readCapacityUnits' }),
    );
    expect(() => serverSideApply(dynamoDB, live, config({ readCapacityUnits: 1 }), 'flux', false)).not.toThrow();
    const forced = serverSideApply(dynamoDB, live, config({ readCapacityUnits: 2 }), 'flux', true);
    expect(forced.object.spec?.readCapacityUnits).toBe(2);
    const editor = forced.managedFields.find((m) => m.manager === 'kubectl-edit');
    expect(JSON.stringify(editor?.fieldsV1)).not.toContain('readCapacityUnits');
  });

  test('an update takes ownership of what it changed from everyone else', () => {
    const applied = serverSideApply(dynamoDB, undefined, config({ readCapacityUnits: 1 }), 'flux', false);
    const live = { ...applied.object, metadata: { ...applied.object.metadata, managedFields: applied.managedFields } };
    const edited = { ...live, spec: { readCapacityUnits: 3 } };
    const managers = recordUpdate(dynamoDB, live, edited, 'kubectl-edit');
    expect(managers.map((m) => `${m.manager}/${m.operation}`)).toEqual(['kubectl-edit/Update']);
  });
});
