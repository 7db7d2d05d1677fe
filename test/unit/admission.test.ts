import { decodeObject, immutableFieldErrors, objectErrors, semanticErrors } from '../../src/registry/admission.js';
import dynamoDB from '../../src/kinds/dynamodb/index.js';
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

function prepared(body: unknown): KubeObject {
  const { object } = decodeObject(dynamoDB, body, 'Strict');
  object.spec = dynamoDB.canonicalSpec(dynamoDB.defaults(object.spec ?? {}));
  return object;
}

/** What the store checks: the object as written against the schema, then its canonical spec against the kind's rules. */
function errorsOf(body: unknown) {
  const { object } = decodeObject(dynamoDB, body, 'Strict');
  const schema = objectErrors(dynamoDB, object);
  return schema.length ? schema : semanticErrors(dynamoDB, prepared(body).spec ?? {}, identity);
}

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

describe('validation', () => {
  test('a valid object has no errors', () => {
    expect(errorsOf(valid)).toEqual([]);
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
    const provisioned = { ...valid, spec: { hashAttribute: { name: 'id' }, billingMode: 'PROVISIONED' } };
    expect(errorsOf(provisioned).map((e) => e.field)).toEqual(['spec.readCapacityUnits', 'spec.writeCapacityUnits']);
    const onDemand = { ...valid, spec: { ...valid.spec, billingMode: 'PAY_PER_REQUEST' } };
    expect(errorsOf(onDemand).map((e) => e.type)).toEqual(['FieldValueForbidden', 'FieldValueForbidden']);
  });

  test('reserved tag keys are refused', () => {
    const object = { ...valid, spec: { ...valid.spec, tags: { 'service-operator.aws/cluster': 'x', 'aws:owner': 'y', ok: 'fine' } } };
    expect(errorsOf(object).map((e) => e.field)).toEqual(['spec.tags[service-operator.aws/cluster]', 'spec.tags[aws:owner]']);
  });

  test('immutable fields: changing or removing the key schema is refused', () => {
    const current = prepared(valid).spec as Record<string, unknown>;
    const changed = prepared({ ...valid, spec: { ...valid.spec, hashAttribute: { name: 'other' } } }).spec as Record<string, unknown>;
    expect(immutableFieldErrors(dynamoDB, current, changed)).toEqual([
      { type: 'FieldValueInvalid', field: 'spec.hashAttribute', detail: 'field is immutable', badValue: { name: 'other', type: 'S' } },
    ]);
    expect(immutableFieldErrors(dynamoDB, current, current)).toEqual([]);
  });
});
