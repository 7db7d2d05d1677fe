// The DynamoDB spec in its canonical form: every setting explicit, lists in a fixed order, so the spec
// rendered from AWS and a desired spec compare equal exactly when AWS needs no change.
import { fieldError, type FieldError } from '../../api/errors.js';
import { deepEqual } from '../../api/json.js';

export type AttributeType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  name: string;
  type: AttributeType;
}

export interface Projection {
  type: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  nonKeyAttributes?: string[];
}

export interface GlobalSecondaryIndex {
  indexName: string;
  hashAttribute: KeyAttribute;
  rangeAttribute?: KeyAttribute;
  projection: Projection;
  readCapacityUnits?: number;
  writeCapacityUnits?: number;
}

export interface DynamoDBSpec {
  tableName?: string;
  hashAttribute: KeyAttribute;
  rangeAttribute?: KeyAttribute;
  billingMode: 'PROVISIONED' | 'PAY_PER_REQUEST';
  readCapacityUnits?: number;
  writeCapacityUnits?: number;
  tableClass: 'STANDARD' | 'STANDARD_INFREQUENT_ACCESS';
  globalSecondaryIndexes?: GlobalSecondaryIndex[];
  stream: { enabled: boolean; viewType?: string };
  serverSideEncryption: { enabled: boolean; kmsKeyId?: string };
  timeToLive: { enabled: boolean; attributeName?: string };
  pointInTimeRecovery: boolean;
  deletionProtection: boolean;
}

/** A schema-valid spec as it arrives in a request (JSON, defaults not filled in). */
type Loose = Record<string, unknown>;

function keyAttribute(value: unknown): KeyAttribute {
  const attr = value as { name: string; type?: AttributeType };
  return { name: attr.name, type: attr.type ?? 'S' };
}

function projection(value: unknown): Projection {
  const p = (value ?? {}) as { type?: Projection['type']; nonKeyAttributes?: string[] };
  const nonKey = p.nonKeyAttributes;
  return { type: p.type ?? 'ALL', ...(nonKey?.length ? { nonKeyAttributes: [...nonKey].sort() } : {}) };
}

function capacities(owner: Loose): { readCapacityUnits?: number; writeCapacityUnits?: number } {
  const { readCapacityUnits: read, writeCapacityUnits: write } = owner as { readCapacityUnits?: number; writeCapacityUnits?: number };
  return { ...(read !== undefined ? { readCapacityUnits: read } : {}), ...(write !== undefined ? { writeCapacityUnits: write } : {}) };
}

function globalSecondaryIndex(gsi: Loose): GlobalSecondaryIndex {
  return {
    indexName: gsi.indexName as string,
    hashAttribute: keyAttribute(gsi.hashAttribute),
    ...(gsi.rangeAttribute ? { rangeAttribute: keyAttribute(gsi.rangeAttribute) } : {}),
    projection: projection(gsi.projection),
    ...capacities(gsi),
  };
}

/**
 * Every default filled in, so an omitted setting means its default (removing a line turns it off);
 * indexes by name, key types explicit. On update an omitted table name or KMS key keeps what AWS has
 * (a defaulted name, the key AWS reports).
 */
export function canonicalSpec(spec: Loose, current?: DynamoDBSpec): DynamoDBSpec {
  const capacity = capacities(spec);
  const hasCapacity = capacity.readCapacityUnits !== undefined || capacity.writeCapacityUnits !== undefined;
  const stream = (spec.stream ?? {}) as Partial<DynamoDBSpec['stream']>;
  const sse = (spec.serverSideEncryption ?? {}) as Partial<DynamoDBSpec['serverSideEncryption']>;
  const ttl = (spec.timeToLive ?? {}) as Partial<DynamoDBSpec['timeToLive']>;
  const kmsKeyId = sse.kmsKeyId ?? (sse.enabled && current?.serverSideEncryption.enabled ? current.serverSideEncryption.kmsKeyId : undefined);
  const tableName = (spec.tableName as string | undefined) ?? current?.tableName;
  const indexes = (spec.globalSecondaryIndexes as Loose[] | undefined)?.map(globalSecondaryIndex);
  return {
    ...(tableName !== undefined ? { tableName } : {}),
    hashAttribute: keyAttribute(spec.hashAttribute),
    ...(spec.rangeAttribute ? { rangeAttribute: keyAttribute(spec.rangeAttribute) } : {}),
    billingMode: (spec.billingMode as DynamoDBSpec['billingMode'] | undefined) ?? (hasCapacity ? 'PROVISIONED' : 'PAY_PER_REQUEST'),
    ...capacity,
    tableClass: (spec.tableClass as DynamoDBSpec['tableClass'] | undefined) ?? 'STANDARD',
    ...(indexes?.length ? { globalSecondaryIndexes: indexes.sort((a, b) => a.indexName.localeCompare(b.indexName)) } : {}),
    stream: { enabled: stream.enabled ?? false, ...(stream.enabled ? { viewType: stream.viewType ?? 'NEW_AND_OLD_IMAGES' } : {}) },
    serverSideEncryption: { enabled: sse.enabled ?? false, ...(kmsKeyId ? { kmsKeyId } : {}) },
    timeToLive: { enabled: ttl.enabled ?? false, ...(ttl.enabled && ttl.attributeName ? { attributeName: ttl.attributeName } : {}) },
    pointInTimeRecovery: (spec.pointInTimeRecovery as boolean | undefined) ?? false,
    deletionProtection: (spec.deletionProtection as boolean | undefined) ?? false,
  };
}

function capacityErrors(owner: { readCapacityUnits?: number; writeCapacityUnits?: number }, path: string, provisioned: boolean): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of ['readCapacityUnits', 'writeCapacityUnits'] as const) {
    if (provisioned && owner[field] === undefined) {
      errors.push(fieldError('FieldValueRequired', `${path}.${field}`, 'required when billingMode is PROVISIONED'));
    }
    if (!provisioned && owner[field] !== undefined) {
      errors.push(fieldError('FieldValueForbidden', `${path}.${field}`, 'may not be set when billingMode is PAY_PER_REQUEST'));
    }
  }
  return errors;
}

/** Every key attribute must have one type across the table and its indexes (AWS has one definition per name). */
function attributeTypeErrors(spec: DynamoDBSpec): FieldError[] {
  const seen = new Map<string, AttributeType>();
  const errors: FieldError[] = [];
  const check = (attr: KeyAttribute | undefined, path: string): void => {
    if (!attr) return;
    const known = seen.get(attr.name);
    if (known && known !== attr.type) errors.push(fieldError('FieldValueInvalid', `${path}.type`, `attribute "${attr.name}" is already declared with type ${known}`, attr.type));
    seen.set(attr.name, attr.type);
  };
  check(spec.hashAttribute, 'spec.hashAttribute');
  check(spec.rangeAttribute, 'spec.rangeAttribute');
  spec.globalSecondaryIndexes?.forEach((gsi, i) => {
    check(gsi.hashAttribute, `spec.globalSecondaryIndexes[${i}].hashAttribute`);
    check(gsi.rangeAttribute, `spec.globalSecondaryIndexes[${i}].rangeAttribute`);
  });
  return errors;
}

/** Rules across fields that the schema cannot say. */
export function validateSpec(spec: DynamoDBSpec): FieldError[] {
  const provisioned = spec.billingMode === 'PROVISIONED';
  const errors = [...capacityErrors(spec, 'spec', provisioned), ...attributeTypeErrors(spec)];
  const names = new Set<string>();
  spec.globalSecondaryIndexes?.forEach((gsi, i) => {
    const path = `spec.globalSecondaryIndexes[${i}]`;
    if (names.has(gsi.indexName)) errors.push(fieldError('FieldValueDuplicate', `${path}.indexName`, 'index names must be unique', gsi.indexName));
    names.add(gsi.indexName);
    errors.push(...capacityErrors(gsi, path, provisioned));
    if (gsi.projection.type === 'INCLUDE' && !gsi.projection.nonKeyAttributes?.length) {
      errors.push(fieldError('FieldValueRequired', `${path}.projection.nonKeyAttributes`, 'required when projection type is INCLUDE'));
    }
    if (gsi.projection.type !== 'INCLUDE' && gsi.projection.nonKeyAttributes?.length) {
      errors.push(fieldError('FieldValueForbidden', `${path}.projection.nonKeyAttributes`, 'only allowed when projection type is INCLUDE'));
    }
  });
  if (spec.timeToLive.enabled && !spec.timeToLive.attributeName) {
    errors.push(fieldError('FieldValueRequired', 'spec.timeToLive.attributeName', 'required when timeToLive is enabled'));
  }
  if (!spec.serverSideEncryption.enabled && spec.serverSideEncryption.kmsKeyId) {
    errors.push(fieldError('FieldValueForbidden', 'spec.serverSideEncryption.kmsKeyId', 'only allowed when serverSideEncryption is enabled'));
  }
  return errors;
}

/** Index keys and projections are fixed once an index exists; only its capacity can change. */
function changedIndexErrors(current: DynamoDBSpec, desired: DynamoDBSpec): FieldError[] {
  const currentIndexes = new Map((current.globalSecondaryIndexes ?? []).map((g) => [g.indexName, g]));
  const shape = (g: GlobalSecondaryIndex) => ({ h: g.hashAttribute, r: g.rangeAttribute, p: g.projection });
  return (desired.globalSecondaryIndexes ?? []).flatMap((gsi, i) => {
    const before = currentIndexes.get(gsi.indexName);
    if (!before || deepEqual(shape(before), shape(gsi))) return [];
    return [fieldError('FieldValueInvalid', `spec.globalSecondaryIndexes[${i}]`, 'the keys and projection of an existing index are immutable; add an index under a new name instead', gsi.indexName)];
  });
}

function indexChurnErrors(current: DynamoDBSpec, desired: DynamoDBSpec): FieldError[] {
  const before = new Set((current.globalSecondaryIndexes ?? []).map((g) => g.indexName));
  const after = new Set((desired.globalSecondaryIndexes ?? []).map((g) => g.indexName));
  const churn = [...after].filter((n) => !before.has(n)).length + [...before].filter((n) => !after.has(n)).length;
  return churn > 1 ? [fieldError('FieldValueForbidden', 'spec.globalSecondaryIndexes', 'AWS allows one index to be added or removed per update; change one index at a time')] : [];
}

/** What one update of a table cannot do (AWS's index rules), checked before any AWS call or dry-run answer. */
export function validateUpdate(desired: DynamoDBSpec, current: DynamoDBSpec): FieldError[] {
  return [...changedIndexErrors(current, desired), ...indexChurnErrors(current, desired)];
}
