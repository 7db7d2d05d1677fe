import { canonicalSpec, type DynamoDBSpec } from '../../src/kinds/dynamodb/spec.js';

describe('DynamoDB canonical spec', () => {
  const manifest = { hashAttribute: { name: 'name', type: 'S' }, rangeAttribute: { name: 'created_at' }, readCapacityUnits: 5, writeCapacityUnits: 5 };

  test('the original operator\'s manifest gets every default made explicit', () => {
    expect(canonicalSpec(manifest)).toEqual({
      hashAttribute: { name: 'name', type: 'S' },
      rangeAttribute: { name: 'created_at', type: 'S' },
      billingMode: 'PROVISIONED',
      readCapacityUnits: 5,
      writeCapacityUnits: 5,
      tableClass: 'STANDARD',
      stream: { enabled: false },
      serverSideEncryption: { enabled: false },
      timeToLive: { enabled: false },
      pointInTimeRecovery: false,
      deletionProtection: false,
    });
  });

  test('no capacity means on demand; indexes sort by name; disabled settings drop their details', () => {
    const spec = canonicalSpec({
      hashAttribute: { name: 'id' },
      globalSecondaryIndexes: [
        { indexName: 'z', hashAttribute: { name: 'b' } },
        { indexName: 'a', hashAttribute: { name: 'c' }, projection: { type: 'INCLUDE', nonKeyAttributes: ['y', 'x'] } },
      ],
      timeToLive: { enabled: false, attributeName: 'ttl' },
    });
    expect(spec.billingMode).toBe('PAY_PER_REQUEST');
    expect(spec.globalSecondaryIndexes?.map((g) => g.indexName)).toEqual(['a', 'z']);
    expect(spec.globalSecondaryIndexes?.[0].projection).toEqual({ type: 'INCLUDE', nonKeyAttributes: ['x', 'y'] });
    expect(spec.timeToLive).toEqual({ enabled: false });
  });

  test('on update, an omitted table name or KMS key keeps what AWS has', () => {
    const current: DynamoDBSpec = { ...canonicalSpec({ hashAttribute: { name: 'id' } }), tableName: 'c.ns.t', serverSideEncryption: { enabled: true, kmsKeyId: 'arn:aws:kms:k' } };
    const desired = canonicalSpec({ hashAttribute: { name: 'id' }, serverSideEncryption: { enabled: true } }, current);
    expect(desired.tableName).toBe('c.ns.t');
    expect(desired.serverSideEncryption).toEqual({ enabled: true, kmsKeyId: 'arn:aws:kms:k' });
    expect(canonicalSpec({ hashAttribute: { name: 'id' }, serverSideEncryption: { enabled: false } }, current).serverSideEncryption).toEqual({ enabled: false });
  });
});
