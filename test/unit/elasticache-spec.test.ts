// The ElastiCache spec: the original operator's comma-separated lists, defaults, the rules between
// engine, nodes and zones, and default cluster ids within ElastiCache's 40 characters.
import { defaultClusterId } from '../../src/kinds/elasticache/aws.js';
import { canonicalSpec, validateSpec, validateUpdate } from '../../src/kinds/elasticache/spec.js';
import { SpecInvalid } from '../../src/registry/kind.js';

const ORIGINAL = {
  cacheSubnetGroupName: 'loadtest-cluster-k8s',
  vpcSecurityGroupIds: 'sg-0581b94aa3c0db58c, sg-02b6d0034e8c2fa1b',
  autoMinorVersionUpgrade: true,
  engine: 'memcached',
  engineVersion: '1.5.10',
  numCacheNodes: 1,
  port: 11211,
  cacheNodeType: 'cache.m4.large',
};
const fields = (errors: { field: string }[]) => errors.map((e) => e.field);

test("the original operator's example: comma-separated security groups become a sorted list, defaults explicit", () => {
  expect(canonicalSpec(ORIGINAL)).toEqual({
    cacheSubnetGroupName: 'loadtest-cluster-k8s',
    vpcSecurityGroupIds: ['sg-02b6d0034e8c2fa1b', 'sg-0581b94aa3c0db58c'],
    autoMinorVersionUpgrade: true,
    engine: 'memcached',
    engineVersion: '1.5.10',
    numCacheNodes: 1,
    port: 11211,
    azMode: 'single-az',
    cacheNodeType: 'cache.m4.large',
  });
  expect(canonicalSpec({ ...ORIGINAL, vpcSecurityGroupIds: ['sg-0581b94aa3c0db58c', 'sg-02b6d0034e8c2fa1b'] })).toEqual(canonicalSpec(ORIGINAL));
  expect(validateSpec(canonicalSpec(ORIGINAL))).toEqual([]);
});

test('redis by default on its port, one node, snapshots off; settings AWS chose are kept on update', () => {
  const redis = canonicalSpec({ cacheNodeType: 'cache.t3.micro' });
  expect(redis).toEqual({ engine: 'redis', cacheNodeType: 'cache.t3.micro', numCacheNodes: 1, port: 6379, azMode: 'single-az', snapshotRetentionLimit: 0, autoMinorVersionUpgrade: true });
  const current = { ...redis, cacheClusterId: 'c-ns-x-0123456789ab', engineVersion: '7.1.0', preferredMaintenanceWindow: 'sun:05:00-sun:06:00', snapshotWindow: '06:30-07:30' };
  expect(canonicalSpec({ cacheNodeType: 'cache.t3.micro' }, current)).toEqual(current);
});

test('a list field that is neither a string nor a list of strings is refused with its field', () => {
  const refused = (spec: Record<string, unknown>) => {
    try {
      canonicalSpec(spec);
      return [];
    } catch (error) {
      return fields((error as SpecInvalid).causes);
    }
  };
  expect(refused({ ...ORIGINAL, vpcSecurityGroupIds: 5 })).toEqual(['spec.vpcSecurityGroupIds']);
  expect(refused({ ...ORIGINAL, preferredAvailabilityZones: [1, 2] })).toEqual(['spec.preferredAvailabilityZones']);
});

test('engine, node and zone rules; cluster id rules; engines are upgraded, never downgraded', () => {
  const errors = (spec: Record<string, unknown>) => fields(validateSpec(canonicalSpec({ cacheNodeType: 'cache.t3.micro', ...spec })));
  expect(errors({ numCacheNodes: 2 })).toEqual(['spec.numCacheNodes']);
  expect(errors({ azMode: 'cross-az' })).toEqual(['spec.azMode']);
  expect(errors({ engine: 'memcached', snapshotWindow: '05:00-06:00' })).toEqual(['spec.snapshotWindow']);
  expect(errors({ engine: 'memcached', numCacheNodes: 2, preferredAvailabilityZones: 'us-east-1a' })).toEqual(['spec.preferredAvailabilityZones']);
  expect(errors({ engine: 'memcached', numCacheNodes: 2, azMode: 'cross-az', preferredAvailabilityZones: 'us-east-1a, us-east-1b' })).toEqual([]);
  for (const bad of ['1abc', 'a--b', 'a-', 'a_b', 'x'.repeat(41)]) expect(errors({ cacheClusterId: bad })).toEqual(['spec.cacheClusterId']);
  expect(errors({ cacheClusterId: 'My-Cache' })).toEqual([]);
  const at = (engineVersion: string) => canonicalSpec({ cacheNodeType: 'cache.t3.micro', engineVersion });
  expect(fields(validateUpdate(at('6.2'), at('7.1.0')))).toEqual(['spec.engineVersion']);
  expect(validateUpdate(at('7.10'), at('7.1.0'))).toEqual([]);
});

test('default cluster ids: at most 40 characters, ElastiCache\'s alphabet, distinct where the joined names are not', () => {
  const id = (clusterName: string, namespace: string, name: string) => defaultClusterId({ clusterName, namespace, name });
  const long = id('production-eu-west-1', 'payments-team-blue', 'session-cache-for-checkout');
  expect(long.length).toBeLessThanOrEqual(40);
  expect(long).toMatch(/^production-eu-west-1-paymen-[0-9a-f]{12}$/);
  expect(id('a-b', 'c', 'd')).not.toBe(id('a', 'b-c', 'd'));
  expect(id('1st', 'ns', 'x')).toMatch(/^k1st-ns-x-[0-9a-f]{12}$/);
  for (const made of [long, id('c', 'n', 'x'.repeat(253)), id('c', 'n', 'a.b')]) {
    expect(validateSpec(canonicalSpec({ cacheNodeType: 't', cacheClusterId: made }))).toEqual([]);
  }
});
