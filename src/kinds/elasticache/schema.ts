// The ElastiCache spec: the original operator's fields, with its comma-separated strings for lists
// (vpcSecurityGroupIds, preferredAvailabilityZones) accepted as well as YAML lists, plus the cluster
// id and the snapshot retention. Descriptions are what `kubectl explain` prints.
import type { Schema } from '../../api/schema.js';
import { outputSchema, stringProperties } from '../common/schemas.js';

/** A list of strings, or (as the original operator took it) one string of comma-separated items. */
const stringList = (description: string): Schema => ({
  description: `${description} A YAML list, or one comma-separated string as the original operator took it ("a, b"). GET shows it in the form it was written.`,
  'x-kubernetes-preserve-unknown-fields': true,
});

export const elastiCacheSpecSchema: Schema = {
  type: 'object',
  description: 'The desired cache cluster. GET shows what AWS has.',
  required: ['cacheNodeType'],
  properties: {
    cacheClusterId: {
      type: 'string',
      minLength: 1,
      maxLength: 40,
      description:
        'The cluster id in AWS: lowercase letters, digits and single hyphens, starting with a letter, at most 40 characters. Defaults to a name made of cluster, namespace and object name that ends in a hash of them (never shared by two objects). Cannot be changed.',
    },
    engine: { type: 'string', enum: ['redis', 'memcached'], description: 'redis (the default) or memcached. Cannot be changed.' },
    engineVersion: { type: 'string', description: 'Engine version, e.g. 7.1 or 1.6.22. Unset: AWS\'s current default, kept afterwards. Can only be raised.' },
    cacheNodeType: { type: 'string', minLength: 1, description: 'Node type, e.g. cache.t3.micro or cache.m4.large.' },
    numCacheNodes: { type: 'integer', minimum: 1, maximum: 40, description: 'Number of nodes: 1 for redis, 1 to 40 for memcached. Default 1.' },
    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'Port the nodes accept connections on. Default 6379 (redis) or 11211 (memcached). Cannot be changed.' },
    azMode: { type: 'string', enum: ['single-az', 'cross-az'], description: 'memcached only: nodes in one AZ (single-az, the default) or spread (cross-az). Cannot be changed.' },
    preferredAvailabilityZone: { type: 'string', description: 'The AZ of a single-AZ cluster. Unset: AWS chooses. Cannot be changed.' },
    preferredAvailabilityZones: stringList('memcached only: one AZ per node, as many as numCacheNodes. Cannot be changed.'),
    cacheParameterGroupName: { type: 'string', description: 'Parameter group. Unset: the engine\'s default group, kept afterwards.' },
    cacheSubnetGroupName: { type: 'string', description: 'Subnet group (the VPC the nodes are in). Unset: the default subnet group. Cannot be changed.' },
    vpcSecurityGroupIds: stringList('VPC security group ids for the nodes.'),
    notificationTopicArn: { type: 'string', description: 'ARN of an SNS topic that receives the cluster\'s events.' },
    preferredMaintenanceWindow: { type: 'string', pattern: '^(sun|mon|tue|wed|thu|fri|sat):\\d\\d:\\d\\d-(sun|mon|tue|wed|thu|fri|sat):\\d\\d:\\d\\d$', description: 'Weekly maintenance window, e.g. sun:05:00-sun:06:00 (UTC). Unset: AWS chooses one, kept afterwards.' },
    snapshotWindow: { type: 'string', pattern: '^\\d\\d:\\d\\d-\\d\\d:\\d\\d$', description: 'redis only: daily snapshot window, e.g. 05:00-06:00 (UTC). Unset: AWS chooses one, kept afterwards.' },
    snapshotRetentionLimit: { type: 'integer', minimum: 0, maximum: 35, description: 'redis only: days automatic snapshots are kept; 0 (the default) turns them off.' },
    autoMinorVersionUpgrade: { type: 'boolean', description: 'Whether AWS applies minor engine upgrades in the maintenance window. Default true.' },
  },
};

export const elastiCacheStatusSchema: Schema = {
  type: 'object',
  properties: {
    ...stringProperties({
      arn: 'The cluster ARN.',
      cacheClusterId: 'The cluster id in AWS.',
      cacheClusterStatus: 'AWS cluster status: creating, available, modifying, deleting, ...',
      engineVersion: 'The engine version running.',
      redisEndpointAddress: 'redis: the node\'s address.',
      redisEndpointPort: 'redis: the node\'s port.',
      configurationEndpoint: 'memcached: the configuration endpoint\'s address (auto discovery).',
      configurationEndpointPort: 'memcached: the configuration endpoint\'s port.',
    }),
    cacheNodeIds: { type: 'array', items: { type: 'string' }, description: 'The ids of the cluster\'s nodes.' },
  },
};

export const elastiCacheOutputSchema = outputSchema(
  {
    redisEndpointAddress: 'redis: the node\'s address ("" for memcached).',
    redisEndpointPort: 'redis: the node\'s port.',
    configurationEndpoint: 'memcached: the configuration endpoint\'s address ("" for redis).',
    configurationEndpointPort: 'memcached: the configuration endpoint\'s port.',
  },
  ' Empty while AWS is still creating the nodes.',
);
