// The DynamoDB spec in its canonical form: every setting explicit, lists in a fixed order, so the spec
// rendered from AWS and a desired spec compare equal exactly when AWS needs no change.
import { fieldError, type FieldError } from '../../api/errors.js';

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

type Loose = Record<string, unknown>;

function keyAttribute(value: unknown): KeyAttribute | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const attr = value as Loose;
  return { name: attr.name as string, type: (attr.type as AttributeType | undefined) ?? 'S' };
}

function projection(value: unknown): Projection {
  const p = (value ?? {}) as Loose;
  const type = (p.type as Projection['type'] | undefined) ?? 'ALL';
  const nonKey = p.nonKeyAttributes as string[] | undefined;
  return { type, ...(nonKey?.length ? { nonKeyAttributes: [...nonKey].sort() } : {}) };
}

function capacities(read: unknown, write: unknown): { readCapacityUnits?: number; writeCapacityUnits?: number } {
  return { ...(read !== undefined ? { readCapacityUnits: read as number } : {}), ...(write !== undefined ? { writeCapacityUnits: write as number } : {}) };
}

/**
 * Fills every default in, so an omitted setting means its default (removing a line turns it off). On
 * update, an omitted table name or KMS key keeps what AWS has (a defaulted name, the key AWS reports).
 */
export function defaultSpec(spec: Loose, current?: Loose): Loose {
  const hasCapacity = spec.readCapacityUnits !== undefined || spec.writeCapacityUnits !== undefined;
  const billingMode = spec.billingMode ?? (hasCapacity ? 'PROVISIONED' : 'PAY_PER_REQUEST');
  const stream = (spec.stream ?? {}) as Loose;
  const sse = (spec.serverSideEncryption ?? {}) as Loose;
  const ttl = (spec.timeToLive ?? {}) as Loose;
  const currentSse = (current?.serverSideEncryption ?? {}) as Loose;
  const kmsKeyId = sse.kmsKeyId ?? (sse.enabled && currentSse.enabled ? currentSse.kmsKeyId : undefined);
  return {
    ...spec,
    ...(spec.tableName === undefined && current?.tableName !== undefined ? { tableName: current.tableName } : {}),
    billingMode,
    tableClass: spec.tableClass ?? 'STANDARD',
    stream: { enabled: stream.enabled ?? false, ...(stream.enabled ? { viewType: stream.viewType ?? 'NEW_AND_OLD_IMAGES' } : {}) },
    serverSideEncryption: { enabled: sse.enabled ?? false, ...(kmsKeyId ? { kmsKeyId } : {}) },
    timeToLive: { enabled: ttl.enabled ?? false, ...(ttl.enabled && ttl.attributeName ? { attributeName: ttl.attributeName } : {}) },
    pointInTimeRecovery: spec.pointInTimeRecovery ?? false,
    deletionProtection: spec.deletionProtection ?? false,
  };
}

/** Canonical form: defaults applied, key types explicit, indexes by name, the original operator's ignored fields dropped. */
export function canonicalSpec(input: Loose): Loose {
  const spec = defaultSpec(input);
  const indexes = (spec.globalSecondaryIndexes as Loose[] | undefined)?.map((gsi) => ({
    indexName: gsi.indexName as string,
    hashAttribute: keyAttribute(gsi.hashAttribute),
    ...(gsi.rangeAttribute ? { rangeAttribute: keyAttribute(gsi.rangeAttribute) } : {}),
    projection: projection(gsi.projection),
    ...capacities(gsi.readCapacityUnits, gsi.writeCapacityUnits),
  }));
  return {
    ...(spec.tableName !== undefined ? { tableName: spec.tableName } : {}),
    hashAttribute: keyAttribute(spec.hashAttribute),
    ...(spec.rangeAttribute ? { rangeAttribute: keyAttribute(spec.rangeAttribute) } : {}),
    billingMode: spec.billingMode,
    ...capacities(spec.readCapacityUnits, spec.writeCapacityUnits),
    tableClass: spec.tableClass,
    ...(indexes?.length ? { globalSecondaryIndexes: indexes.sort((a, b) => a.indexName.localeCompare(b.indexName)) } : {}),
    stream: spec.stream,
    serverSideEncryption: spec.serverSideEncryption,
    timeToLive: spec.timeToLive,
    pointInTimeRecovery: spec.pointInTimeRecovery,
    deletionProtection: spec.deletionProtection,
    ...(spec.tags !== undefined ? { tags: spec.tags } : {}),
  };
}

function capacityErrors(owner: Loose, path: string, provisioned: boolean): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of ['readCapacityUnits', 'writeCapacityUnits']) {
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

/** Rules across fields that the schema cannot say. `spec` is canonical. */
export function validateSpec(loose: Loose): FieldError[] {
  const spec = loose as unknown as DynamoDBSpec;
  const provisioned = spec.billingMode === 'PROVISIONED';
  const errors = [...capacityErrors(loose, 'spec', provisioned), ...attributeTypeErrors(spec)];
  const names = new Set<string>();
  spec.globalSecondaryIndexes?.forEach((gsi, i) => {
    const path = `spec.globalSecondaryIndexes[${i}]`;
    if (names.has(gsi.indexName)) errors.push(fieldError('FieldValueDuplicate', `${path}.indexName`, 'index names must be unique', gsi.indexName));
    names.add(gsi.indexName);
    errors.push(...capacityErrors(gsi as unknown as Loose, path, provisioned));
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
