import type { StatusError } from '../../src/api/errors.js';
import { admitSpec, admitUpdate, decodeObject } from '../../src/registry/admission.js';
import dynamoDB from '../../src/kinds/dynamodb/index.js';
import type { DynamoDBSpec } from '../../src/kinds/dynamodb/spec.js';
import { withoutIgnoredFields } from '../../src/registry/kind-schemas.js';
import type { KubeObject } from '../../src/api/types.js';
import { statusErrorOf } from '../support/status-errors.js';

const identity = { clusterName: 'c', namespace: 'default', name: 'orders' };
const valid = {
  apiVersion: 'service-operator.aws/v1alpha1',
  kind: 'DynamoDB',
  metadata: { name: 'orders' },
  spec: { hashAttribute: { name: 'id', type: 'S' }, readCapacityUnits: 5, writeCapacityUnits: 5 },
};

function decoded(body: unknown): KubeObject {
  return decodeObject(dynamoDB, body, 'Ignore').object;
}

/** The field causes of admitting the object (none when it is admitted). */
function errorsOf(body: unknown): { field: string; type: string }[] {
  try {
    admitSpec(dynamoDB, decoded(body), identity);
    return [];
  } catch (error) {
    return ((error as StatusError).details?.causes ?? []).map((c) => ({ field: c.field ?? '', type: c.reason }));
  }
}

const admitted = (body: unknown): DynamoDBSpec => admitSpec(dynamoDB, decoded(body), identity).spec;

describe('decoding with fieldValidation', () => {
  const withUnknown = { ...valid, spec: { ...valid.spec, foo: 1, hashAttribute: { name: 'id', bar: 2 } } };

  test('Strict rejects unknown fields with kube-apiserver wording', () => {
    const error = statusErrorOf(() => decodeObject(dynamoDB, withUnknown, 'Strict'));
    expect(error.code).toBe(400);
    expect(error.message).toBe('DynamoDB in version "v1alpha1" cannot be handled as a DynamoDB: strict decoding error: unknown field "spec.hashAttribute.bar", unknown field "spec.foo"');
  });

  test('Warn drops them and warns; Ignore drops them silently', () => {
    const warned = decodeObject(dynamoDB, withUnknown, 'Warn');
    expect(warned.warnings).toEqual(['unknown field "spec.hashAttribute.bar"', 'unknown field "spec.foo"']);
    expect(warned.object.spec).not.toHaveProperty('foo');
    expect(decodeObject(dynamoDB, withUnknown, 'Ignore').warnings).toEqual([]);
  });

  test("the original operator's CloudFormation fields are accepted under Strict, and ignored", () => {
    const legacy = { ...valid, spec: { ...valid.spec, cloudFormationTemplateName: 't', cloudFormationTemplateNamespace: 'ns', rollbackCount: 1 } };
    const { object, warnings } = decodeObject(dynamoDB, legacy, 'Strict');
    expect(warnings).toEqual([]);
    expect(withoutIgnoredFields(object.spec ?? {})).toEqual(valid.spec);
  });

  test('apiVersion and kind must be ours', () => {
    expect(statusErrorOf(() => decodeObject(dynamoDB, { ...valid, apiVersion: 'v1' }, 'Strict')).code).toBe(400);
    expect(statusErrorOf(() => decodeObject(dynamoDB, { ...valid, kind: 'S3Bucket' }, 'Strict')).code).toBe(400);
    expect(statusErrorOf(() => decodeObject(dynamoDB, [1, 2], 'Strict')).code).toBe(400);
  });
});

describe('admission', () => {
  test('a valid object has no errors, and comes out canonical with its tags apart', () => {
    expect(errorsOf(valid)).toEqual([]);
    const result = admitSpec(dynamoDB, decoded({ ...valid, spec: { ...valid.spec, tags: { team: 'a' } } }), identity);
    expect(result.tags).toEqual({ team: 'a' });
    expect(result.spec).toMatchObject({ billingMode: 'PROVISIONED', tableClass: 'STANDARD' });
    expect(result.spec).not.toHaveProperty('tags');
  });

  test('names, types, enums and cross-field rules become field causes', () => {
    const fields = errorsOf({
      ...valid,
      metadata: { name: 'Bad_Name', labels: { 'bad key!': 'v' } },
      spec: { hashAttribute: { name: 'id', type: 'X' }, readCapacityUnits: 'five', billingMode: 'PROVISIONED' },
    }).map((e) => `${e.field}:${e.type}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        'metadata.name:FieldValueInvalid',
        'metadata.labels:FieldValueInvalid',
        'spec.hashAttribute.type:FieldValueNotSupported',
        'spec.readCapacityUnits:FieldValueTypeInvalid',
      ]),
    );
  });

  test('billing mode rules: capacity required for PROVISIONED, forbidden for PAY_PER_REQUEST', () => {
    expect(errorsOf({ ...valid, spec: { hashAttribute: { name: 'id' }, billingMode: 'PROVISIONED' } }).map((e) => e.field)).toEqual(['spec.readCapacityUnits', 'spec.writeCapacityUnits']);
    expect(errorsOf({ ...valid, spec: { ...valid.spec, billingMode: 'PAY_PER_REQUEST' } }).map((e) => e.type)).toEqual(['FieldValueForbidden', 'FieldValueForbidden']);
  });

  test('reserved tag keys are refused', () => {
    const tags = { 'service-operator.aws/cluster': 'x', 'aws:owner': 'y', ok: 'fine' };
    expect(errorsOf({ ...valid, spec: { ...valid.spec, tags } }).map((e) => e.field)).toEqual(['spec.tags[service-operator.aws/cluster]', 'spec.tags[aws:owner]']);
  });
});

describe('updates', () => {
  const updateErrors = (current: DynamoDBSpec, desired: DynamoDBSpec) => {
    try {
      admitUpdate(dynamoDB, 'orders', current, desired);
      return [];
    } catch (error) {
      return (error as StatusError).details?.causes ?? [];
    }
  };

  test('immutable fields: changing or removing the key schema is refused', () => {
    const current = admitted(valid);
    const changed = admitted({ ...valid, spec: { ...valid.spec, hashAttribute: { name: 'other' } } });
    expect(updateErrors(current, changed)).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.hashAttribute', message: expect.stringContaining('field is immutable') }]);
    expect(updateErrors(current, current)).toEqual([]);
  });

  test("the kind's update rules: one index added or removed per update, index keys fixed", () => {
    const index = (name: string, hash = 'h') => ({ indexName: `by-${name}`, hashAttribute: { name: hash }, readCapacityUnits: 1, writeCapacityUnits: 1 });
    const current = admitted({ ...valid, spec: { ...valid.spec, globalSecondaryIndexes: [index('a')] } });
    const twoMore = admitted({ ...valid, spec: { ...valid.spec, globalSecondaryIndexes: [index('a'), index('b'), index('c')] } });
    expect(updateErrors(current, twoMore).map((c) => c.field)).toEqual(['spec.globalSecondaryIndexes']);
    const rekeyed = admitted({ ...valid, spec: { ...valid.spec, globalSecondaryIndexes: [index('a', 'other')] } });
    expect(updateErrors(current, rekeyed).map((c) => c.field)).toEqual(['spec.globalSecondaryIndexes[0]']);
    const oneMore = admitted({ ...valid, spec: { ...valid.spec, globalSecondaryIndexes: [index('a'), index('b')] } });
    expect(updateErrors(current, oneMore)).toEqual([]);
  });
});

describe('metadata types, as kube-apiserver decodes ObjectMeta', () => {
  const withMetadata = (metadata: Record<string, unknown>) => ({ ...valid, metadata: { name: 'orders', ...metadata } });

  test.each([
    [{ name: true }, 'cannot unmarshal bool into Go struct field ObjectMeta.metadata.name of type string'],
    [{ name: 12345 }, 'cannot unmarshal number 12345 into Go struct field ObjectMeta.metadata.name of type string'],
    [{ namespace: ['a'] }, 'cannot unmarshal array into Go struct field ObjectMeta.metadata.namespace of type string'],
    [{ generation: 1.5 }, 'cannot unmarshal number 1.5 into Go struct field ObjectMeta.metadata.generation of type int64'],
    [{ ownerReferences: 'x' }, 'cannot unmarshal string into Go struct field ObjectMeta.metadata.ownerReferences of type []v1.OwnerReference'],
    [{ ownerReferences: [{ kind: 'Pod', uid: 7 }] }, 'cannot unmarshal number 7 into Go struct field OwnerReference.metadata.ownerReferences.uid of type types.UID'],
    [{ managedFields: 'x' }, 'cannot unmarshal string into Go struct field ObjectMeta.metadata.managedFields of type []v1.ManagedFieldsEntry'],
    [{ managedFields: [{ manager: 'm', fieldsV1: 'x' }] }, 'cannot unmarshal string into Go struct field ManagedFieldsEntry.metadata.managedFields.fieldsV1 of type v1.FieldsV1'],
  ])('%j is a 400 decoding error', (metadata, message) => {
    const error = statusErrorOf(() => decodeObject(dynamoDB, withMetadata(metadata), 'Strict'));
    expect([error.code, error.reason]).toEqual([400, 'BadRequest']);
    expect(error.message).toBe(`DynamoDB in version "v1alpha1" cannot be handled as a DynamoDB: json: ${message}`);
  });

  test('null is the zero value: dropped', () => {
    const { object } = decodeObject(dynamoDB, withMetadata({ labels: null, ownerReferences: null, uid: null }), 'Strict');
    expect(object.metadata).toEqual({ name: 'orders' });
  });

  test('well-typed but incomplete owner references and unknown managedFields operations are 422 on their fields', () => {
    const body = withMetadata({
      ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'c', uid: '' }],
      managedFields: [{ manager: 'm', operation: 'Patch', fieldsType: 'FieldsV1', fieldsV1: {} }],
    });
    expect(errorsOf(body).map((e) => e.field)).toEqual(['metadata.ownerReferences[0].uid', 'metadata.managedFields[0].operation']);
  });
});
