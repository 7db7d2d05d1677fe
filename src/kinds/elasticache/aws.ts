// ElastiCache cache clusters through @aws-sdk/client-elasticache: described (with node endpoints)
// into the canonical spec, created with their tags in the same call, changed with one
// ModifyCacheCluster applied at once, deleted asynchronously. AWS takes minutes to create, modify
// and delete a cluster: writes return at once, and the object shows the state (Ready when available).
import {
  AddTagsToResourceCommand,
  CreateCacheClusterCommand,
  DeleteCacheClusterCommand,
  DescribeCacheClustersCommand,
  ElastiCacheClient,
  ListTagsForResourceCommand,
  ModifyCacheClusterCommand,
  RemoveTagsFromResourceCommand,
  type CacheCluster,
  type ModifyCacheClusterCommandInput,
} from '@aws-sdk/client-elasticache';
import type { ObjectIdentity } from '../../aws/context.js';
import { awsErrorCode, isAwsNotFound, unlessNotFound } from '../../aws/errors.js';
import { identityHash, type NamingRules } from '../../aws/naming.js';
import { topicTags } from '../../aws/sns.js';
import { fromTagList, toTagList } from '../../aws/tag-list.js';
import { resourcesOfCluster } from '../../aws/tagging.js';
import { changed, ResourceConflict, type DeleteOutcome, type KindAws, type KindContext, type Lifecycle, type LinkedResource, type Listed, type Observed, type SpecChange, type TagChange } from '../../registry/kind.js';
import { MAX_CLUSTER_ID, type ElastiCacheSpec, type Engine } from './spec.js';

const elasticache = (ctx: KindContext): ElastiCacheClient => ctx.aws.client(ElastiCacheClient);

// ------------------------------------------------------------------ names

const HASH_LENGTH = 12;

/** Lowercase, single hyphens, a letter first: what ElastiCache takes in a cluster id. */
const sanitize = (text: string): string => {
  const joined = text.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return /^[a-z]/.test(joined) ? joined : `k${joined}`;
};

/** The shape of default ids, which explicit ones may not take (registry/store-support.ts, reservedNameErrors). */
const NAMING: Omit<NamingRules, 'maxLength'> = { separator: '-', alwaysHash: true, hashLength: HASH_LENGTH, sanitize };

/**
 * `<cluster>-<namespace>-<name>` cut to fit 40 characters with `-<12 hex digits>` of the identity
 * always appended: "-" also occurs inside Kubernetes names, so the joined text alone is ambiguous,
 * and 40 characters leave no room for the whole identity.
 */
export function defaultClusterId(identity: ObjectIdentity): string {
  const suffix = `-${identityHash(identity, HASH_LENGTH)}`;
  const joined = sanitize([identity.clusterName, identity.namespace, identity.name].join('-'));
  return `${joined.slice(0, MAX_CLUSTER_ID - suffix.length).replace(/-+$/, '')}${suffix}`;
}

// ------------------------------------------------------------------ reading

function lifecycleOf(status: string): Lifecycle {
  switch (status) {
    case 'available':
      return { state: status, phase: 'Ready', message: 'cache cluster is available' };
    case 'creating':
      return { state: status, phase: 'Creating', message: 'cache cluster is creating (ElastiCache takes minutes)' };
    case 'modifying':
    case 'rebooting cache cluster nodes':
    case 'snapshotting':
      return { state: status, phase: 'Updating', message: `cache cluster is ${status}` };
    case 'deleting':
      return { state: status, phase: 'Deleting', message: 'cache cluster is deleting' };
    default:
      return { state: status, phase: 'Failed', message: `cache cluster is ${status}` };
  }
}

/** The spec as AWS has it. Unset settings AWS chose (version, windows, groups) are shown as chosen. */
function renderSpec(cluster: CacheCluster): ElastiCacheSpec {
  const engine = cluster.Engine as Engine;
  const nodes = cluster.CacheNodes ?? [];
  const zones = [...new Set(nodes.map((node) => node.CustomerAvailabilityZone).filter((zone): zone is string => !!zone))];
  const crossAz = cluster.PreferredAvailabilityZone === 'Multiple';
  const port = cluster.ConfigurationEndpoint?.Port ?? nodes[0]?.Endpoint?.Port;
  const groups = (cluster.SecurityGroups ?? []).map((group) => group.SecurityGroupId).filter((id): id is string => !!id).sort();
  const optional: Partial<ElastiCacheSpec> = {
    engineVersion: cluster.EngineVersion,
    cacheParameterGroupName: cluster.CacheParameterGroup?.CacheParameterGroupName,
    cacheSubnetGroupName: cluster.CacheSubnetGroupName,
    preferredAvailabilityZone: !crossAz ? (cluster.PreferredAvailabilityZone ?? zones[0]) : undefined,
    preferredAvailabilityZones: crossAz && zones.length ? nodes.map((node) => node.CustomerAvailabilityZone as string) : undefined,
    vpcSecurityGroupIds: groups.length ? groups : undefined,
    notificationTopicArn: cluster.NotificationConfiguration?.TopicArn,
    preferredMaintenanceWindow: cluster.PreferredMaintenanceWindow,
    snapshotWindow: engine === 'redis' ? cluster.SnapshotWindow : undefined,
    snapshotRetentionLimit: engine === 'redis' ? (cluster.SnapshotRetentionLimit ?? 0) : undefined,
  };
  return {
    cacheClusterId: cluster.CacheClusterId,
    engine,
    cacheNodeType: cluster.CacheNodeType as string,
    numCacheNodes: cluster.NumCacheNodes ?? nodes.length,
    ...(port !== undefined ? { port } : {}),
    azMode: crossAz ? 'cross-az' : 'single-az',
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined && value !== '')),
    autoMinorVersionUpgrade: cluster.AutoMinorVersionUpgrade ?? true,
  } as ElastiCacheSpec;
}

/** The original operator's four outputs: one pair is set, by engine; the other stays "". */
function outputsOf(cluster: CacheCluster): Record<string, string> {
  const node = cluster.CacheNodes?.[0]?.Endpoint;
  const configuration = cluster.ConfigurationEndpoint;
  const redis = cluster.Engine === 'redis';
  return {
    redisEndpointAddress: redis ? (node?.Address ?? '') : '',
    redisEndpointPort: redis && node?.Port !== undefined ? String(node.Port) : '',
    configurationEndpoint: configuration?.Address ?? '',
    configurationEndpointPort: configuration?.Port !== undefined ? String(configuration.Port) : '',
  };
}

async function describe(ctx: KindContext, id: string): Promise<CacheCluster | undefined> {
  return (await unlessNotFound(elasticache(ctx).send(new DescribeCacheClustersCommand({ CacheClusterId: id, ShowCacheNodeInfo: true }))))?.CacheClusters?.[0];
}

async function find(ctx: KindContext, id: string): Promise<Observed<ElastiCacheSpec> | undefined> {
  const cluster = await describe(ctx, id);
  if (!cluster?.ARN) return undefined;
  const arn = cluster.ARN;
  const tags = fromTagList((await elasticache(ctx).send(new ListTagsForResourceCommand({ ResourceName: arn }))).TagList);
  const status = cluster.CacheClusterStatus ?? 'unknown';
  const outputs = outputsOf(cluster);
  return {
    ref: cluster.CacheClusterId as string,
    arn,
    tags,
    lifecycle: lifecycleOf(status),
    spec: renderSpec(cluster),
    status: {
      arn,
      cacheClusterId: cluster.CacheClusterId,
      cacheClusterStatus: status,
      ...(cluster.EngineVersion ? { engineVersion: cluster.EngineVersion } : {}),
      ...Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== '')),
      ...(cluster.CacheNodes?.length ? { cacheNodeIds: cluster.CacheNodes.map((node) => node.CacheNodeId as string) } : {}),
    },
    outputs,
    ...(cluster.CacheClusterCreateTime ? { createdAt: cluster.CacheClusterCreateTime.toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
  };
}

// ------------------------------------------------------------------ writing

async function create(ctx: KindContext, id: string, spec: ElastiCacheSpec, tags: Record<string, string>): Promise<string> {
  await elasticache(ctx).send(
    new CreateCacheClusterCommand({
      CacheClusterId: id,
      Engine: spec.engine,
      EngineVersion: spec.engineVersion,
      CacheNodeType: spec.cacheNodeType,
      NumCacheNodes: spec.numCacheNodes,
      Port: spec.port,
      ...(spec.engine === 'memcached' ? { AZMode: spec.azMode } : {}),
      PreferredAvailabilityZone: spec.preferredAvailabilityZone,
      PreferredAvailabilityZones: spec.preferredAvailabilityZones,
      CacheParameterGroupName: spec.cacheParameterGroupName,
      CacheSubnetGroupName: spec.cacheSubnetGroupName,
      SecurityGroupIds: spec.vpcSecurityGroupIds,
      NotificationTopicArn: spec.notificationTopicArn,
      PreferredMaintenanceWindow: spec.preferredMaintenanceWindow,
      SnapshotWindow: spec.snapshotWindow,
      SnapshotRetentionLimit: spec.snapshotRetentionLimit,
      AutoMinorVersionUpgrade: spec.autoMinorVersionUpgrade,
      Tags: toTagList(tags),
    }),
  );
  return id;
}

/** Removing memcached nodes names them: the ones added last go first. */
function nodesToRemove(observed: Observed<ElastiCacheSpec>, desired: number): string[] | undefined {
  const ids = (observed.status.cacheNodeIds as string[] | undefined) ?? [];
  return desired < ids.length ? [...ids].sort().slice(desired) : undefined;
}

/** The ModifyCacheCluster input for what changed (applied at once, not in the next maintenance window). */
function modification(observed: Observed<ElastiCacheSpec>, change: SpecChange<ElastiCacheSpec>): ModifyCacheClusterCommandInput {
  const { desired } = change;
  const when = <K extends keyof ElastiCacheSpec, V>(field: K, value: V) => (changed(change, field) ? value : undefined);
  const removed = changed(change, 'numCacheNodes') ? nodesToRemove(observed, desired.numCacheNodes) : undefined;
  return {
    CacheClusterId: observed.ref,
    ApplyImmediately: true,
    NumCacheNodes: when('numCacheNodes', desired.numCacheNodes),
    ...(removed ? { CacheNodeIdsToRemove: removed } : {}),
    CacheNodeType: when('cacheNodeType', desired.cacheNodeType),
    EngineVersion: when('engineVersion', desired.engineVersion),
    CacheParameterGroupName: when('cacheParameterGroupName', desired.cacheParameterGroupName),
    // An empty list is how a cluster goes back to the VPC's default security group.
    SecurityGroupIds: when('vpcSecurityGroupIds', desired.vpcSecurityGroupIds ?? []),
    NotificationTopicArn: when('notificationTopicArn', desired.notificationTopicArn ?? ''),
    ...(changed(change, 'notificationTopicArn') && !desired.notificationTopicArn ? { NotificationTopicStatus: 'inactive' } : {}),
    PreferredMaintenanceWindow: when('preferredMaintenanceWindow', desired.preferredMaintenanceWindow),
    SnapshotWindow: when('snapshotWindow', desired.snapshotWindow),
    SnapshotRetentionLimit: when('snapshotRetentionLimit', desired.snapshotRetentionLimit),
    AutoMinorVersionUpgrade: when('autoMinorVersionUpgrade', desired.autoMinorVersionUpgrade),
  };
}

async function update(ctx: KindContext, observed: Observed<ElastiCacheSpec>, change: SpecChange<ElastiCacheSpec>): Promise<void> {
  // Nothing to change (the end of a create whose answer was lost, say): nothing to wait for either.
  if (change.fields.size === 0) return;
  if (observed.lifecycle.phase !== 'Ready') {
    throw new ResourceConflict(`the cache cluster is ${observed.lifecycle.state}; ElastiCache changes a cluster only while it is available, so try again once it is`);
  }
  await elasticache(ctx).send(new ModifyCacheClusterCommand(modification(observed, change)));
}

async function setTags(ctx: KindContext, observed: Observed<ElastiCacheSpec>, change: TagChange): Promise<void> {
  if (Object.keys(change.set).length) await elasticache(ctx).send(new AddTagsToResourceCommand({ ResourceName: observed.arn, Tags: toTagList(change.set) }));
  if (change.remove.length) await elasticache(ctx).send(new RemoveTagsFromResourceCommand({ ResourceName: observed.arn, TagKeys: change.remove }));
}

async function remove(ctx: KindContext, observed: Observed<ElastiCacheSpec>): Promise<DeleteOutcome> {
  if (observed.lifecycle.phase === 'Deleting') return { state: 'deleting' };
  try {
    await elasticache(ctx).send(new DeleteCacheClusterCommand({ CacheClusterId: observed.ref }));
  } catch (error) {
    if (isAwsNotFound(error)) return { state: 'deleted' };
    if (awsErrorCode(error) !== 'InvalidCacheClusterStateFault') throw error;
    throw new ResourceConflict(`the cache cluster is ${observed.lifecycle.state} and ElastiCache deletes clusters only while they are available; try again once it is`);
  }
  return { state: (await describe(ctx, observed.ref)) ? 'deleting' : 'deleted' };
}

/** The tagging API knows cache clusters by ARN (`...:cluster:<id>`); "elasticache" also lists other ElastiCache resources. */
async function* enumerate(ctx: KindContext, clusterName: string): AsyncIterable<Listed> {
  for await (const resource of resourcesOfCluster(ctx, 'elasticache', clusterName)) {
    const at = resource.arn.indexOf(':cluster:');
    if (at >= 0) yield { ref: resource.arn.slice(at + ':cluster:'.length), tags: resource.tags };
  }
}

/**
 * ElastiCache publishes the cluster's events to its notification topic: a topic of this namespace,
 * or one the server does not manage. Subnet, parameter and security groups are no kind's.
 */
function linked(spec: ElastiCacheSpec): LinkedResource[] {
  const topic = spec.notificationTopicArn;
  return topic ? [{ use: 'target', field: 'spec.notificationTopicArn', kind: 'SNSTopic', name: topic, tags: (ctx) => topicTags(ctx, topic) }] : [];
}

export const elastiCacheAws: KindAws<ElastiCacheSpec> = {
  physicalName: (identity: ObjectIdentity, spec?: ElastiCacheSpec) => spec?.cacheClusterId ?? defaultClusterId(identity),
  explicitName: { field: 'cacheClusterId', rules: NAMING },
  linked,
  find,
  create,
  update,
  setTags,
  delete: remove,
  enumerate,
};
