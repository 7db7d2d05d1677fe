// The ElastiCache spec in canonical form: every default explicit, lists as sorted lists (security
// groups) or in node order (zones), settings AWS chooses when unset kept as AWS chose them, so the spec
// rendered from AWS and a desired spec compare equal exactly when AWS needs no change.
import { fieldError, type FieldError } from '../../api/errors.js';
import { SpecInvalid } from '../../registry/kind.js';

export type Engine = 'redis' | 'memcached';

export interface ElastiCacheSpec {
  cacheClusterId?: string;
  engine: Engine;
  engineVersion?: string;
  cacheNodeType: string;
  numCacheNodes: number;
  port: number;
  azMode: 'single-az' | 'cross-az';
  preferredAvailabilityZone?: string;
  preferredAvailabilityZones?: string[];
  cacheParameterGroupName?: string;
  cacheSubnetGroupName?: string;
  vpcSecurityGroupIds?: string[];
  notificationTopicArn?: string;
  preferredMaintenanceWindow?: string;
  snapshotWindow?: string;
  snapshotRetentionLimit?: number;
  autoMinorVersionUpgrade: boolean;
}

/** A schema-valid spec as it arrives in a request. */
type Loose = Record<string, unknown>;

export const DEFAULT_PORT: Record<Engine, number> = { redis: 6379, memcached: 11211 };

/** ElastiCache's rule for cluster ids (stored lowercase); 40 characters is the limit every region has. */
const CLUSTER_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const MAX_CLUSTER_ID = 40;

/** Fields that AWS fills in when a create leaves them out: on update, left out means "as AWS has it". */
const KEPT_FROM_AWS = ['cacheClusterId', 'engineVersion', 'cacheParameterGroupName', 'cacheSubnetGroupName', 'preferredAvailabilityZone', 'preferredMaintenanceWindow', 'snapshotWindow'] as const;

/** The items of a list field: a YAML list, or the original operator's comma-separated string. */
export function listOf(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value.map(String) : undefined;
  return items?.map((item) => item.trim()).filter((item) => item !== '');
}

/** Why a list field is not a string or a list of strings, or undefined. */
function listShapeErrors(spec: Loose, field: string): FieldError[] {
  const value = spec[field];
  if (value === undefined || typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'))) return [];
  return [fieldError('FieldValueTypeInvalid', `spec.${field}`, 'must be a list of strings, or one comma-separated string', value)];
}

/** Every default filled in; SpecInvalid when a list field is neither a string nor a list of strings. */
export function canonicalSpec(spec: Loose, current?: ElastiCacheSpec): ElastiCacheSpec {
  const shapes = [...listShapeErrors(spec, 'vpcSecurityGroupIds'), ...listShapeErrors(spec, 'preferredAvailabilityZones')];
  if (shapes.length) throw new SpecInvalid(shapes);
  const engine = (spec.engine as Engine | undefined) ?? 'redis';
  const kept = Object.fromEntries(KEPT_FROM_AWS.map((field) => [field, (spec[field] as string | undefined) ?? current?.[field]]).filter(([, value]) => value !== undefined)) as Pick<ElastiCacheSpec, (typeof KEPT_FROM_AWS)[number]>;
  const groups = listOf(spec.vpcSecurityGroupIds)?.sort();
  const zones = listOf(spec.preferredAvailabilityZones);
  const retention = (spec.snapshotRetentionLimit as number | undefined) ?? (engine === 'redis' ? 0 : undefined);
  return {
    ...kept,
    ...(kept.cacheClusterId !== undefined ? { cacheClusterId: kept.cacheClusterId.toLowerCase() } : {}),
    engine,
    cacheNodeType: spec.cacheNodeType as string,
    numCacheNodes: (spec.numCacheNodes as number | undefined) ?? 1,
    port: (spec.port as number | undefined) ?? DEFAULT_PORT[engine],
    azMode: (spec.azMode as ElastiCacheSpec['azMode'] | undefined) ?? 'single-az',
    ...(zones?.length ? { preferredAvailabilityZones: zones } : {}),
    ...(groups?.length ? { vpcSecurityGroupIds: groups } : {}),
    ...(spec.notificationTopicArn ? { notificationTopicArn: spec.notificationTopicArn as string } : {}),
    ...(retention !== undefined ? { snapshotRetentionLimit: retention } : {}),
    autoMinorVersionUpgrade: (spec.autoMinorVersionUpgrade as boolean | undefined) ?? true,
  };
}

function clusterIdErrors(spec: ElastiCacheSpec): FieldError[] {
  const id = spec.cacheClusterId;
  if (id === undefined || (CLUSTER_ID.test(id) && id.length <= MAX_CLUSTER_ID)) return [];
  return [fieldError('FieldValueInvalid', 'spec.cacheClusterId', `a cluster id is 1 to ${MAX_CLUSTER_ID} lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen`, id)];
}

function engineErrors(spec: ElastiCacheSpec): FieldError[] {
  const errors: FieldError[] = [];
  const memcachedOnly = (field: string, why: string) => errors.push(fieldError('FieldValueForbidden', `spec.${field}`, `${why} (memcached only)`));
  const redisOnly = (field: string) => errors.push(fieldError('FieldValueForbidden', `spec.${field}`, 'memcached clusters take no snapshots (redis only)'));
  if (spec.engine === 'redis') {
    if (spec.numCacheNodes !== 1) errors.push(fieldError('FieldValueInvalid', 'spec.numCacheNodes', 'a redis cache cluster has exactly one node', spec.numCacheNodes));
    if (spec.azMode === 'cross-az') memcachedOnly('azMode', 'nodes spread across AZs');
    if (spec.preferredAvailabilityZones) memcachedOnly('preferredAvailabilityZones', 'one AZ per node');
  } else {
    if (spec.snapshotWindow !== undefined) redisOnly('snapshotWindow');
    if (spec.snapshotRetentionLimit !== undefined) redisOnly('snapshotRetentionLimit');
  }
  return errors;
}

function zoneErrors(spec: ElastiCacheSpec): FieldError[] {
  const zones = spec.preferredAvailabilityZones;
  if (!zones) return spec.engine === 'memcached' && spec.azMode === 'cross-az' && spec.numCacheNodes < 2 ? [fieldError('FieldValueInvalid', 'spec.numCacheNodes', 'cross-az needs at least two nodes', spec.numCacheNodes)] : [];
  const errors: FieldError[] = [];
  if (zones.length !== spec.numCacheNodes) errors.push(fieldError('FieldValueInvalid', 'spec.preferredAvailabilityZones', `name one AZ per node: ${spec.numCacheNodes} nodes, ${zones.length} AZs`));
  if (spec.preferredAvailabilityZone !== undefined) errors.push(fieldError('FieldValueForbidden', 'spec.preferredAvailabilityZone', 'set preferredAvailabilityZone or preferredAvailabilityZones, not both'));
  return errors;
}

/** AWS's naming rule and the rules between engine, nodes and zones. */
export function validateSpec(spec: ElastiCacheSpec): FieldError[] {
  return [...clusterIdErrors(spec), ...engineErrors(spec), ...zoneErrors(spec)];
}

/** Numeric parts of a version, for comparison ("7.1.0" < "7.10"). */
function versionParts(version: string): number[] {
  return version.split('.').map((part) => Number.parseInt(part, 10) || 0);
}

export function isDowngrade(from: string, to: string): boolean {
  const [a, b] = [versionParts(from), versionParts(to)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((b[i] ?? 0) !== (a[i] ?? 0)) return (b[i] ?? 0) < (a[i] ?? 0);
  }
  return false;
}

/** What ModifyCacheCluster cannot do: lower the engine version. */
export function validateUpdate(desired: ElastiCacheSpec, current: ElastiCacheSpec): FieldError[] {
  if (desired.engineVersion && current.engineVersion && isDowngrade(current.engineVersion, desired.engineVersion)) {
    return [fieldError('FieldValueInvalid', 'spec.engineVersion', `the engine runs ${current.engineVersion}; ElastiCache upgrades engines but never downgrades them`, desired.engineVersion)];
  }
  return [];
}
