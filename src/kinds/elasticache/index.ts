// ElastiCache: a cache cluster (redis or memcached). The original operator's manifests apply
// unchanged (its comma-separated security groups and zones included); its outputs
// (redisEndpointAddress, redisEndpointPort, configurationEndpoint, configurationEndpointPort) are in
// `output` and the ConfigMap. AWS creates, changes and deletes clusters in minutes: the object shows
// the cluster's state, and Ready once it is available.
import type { KindDefinition } from '../../registry/kind.js';
import { elastiCacheAws } from './aws.js';
import { elastiCacheOutputSchema, elastiCacheSpecSchema, elastiCacheStatusSchema } from './schema.js';
import { canonicalSpec, validateSpec, validateUpdate, type ElastiCacheSpec } from './spec.js';

const elastiCache: KindDefinition<ElastiCacheSpec> = {
  names: { kind: 'ElastiCache', plural: 'elasticaches', singular: 'elasticache', shortNames: ['ec'] },
  description: 'An ElastiCache cache cluster (redis or memcached) in the AWS account. Creating, changing or deleting this object starts the same in AWS, which takes minutes: Ready says when the cluster is available.',
  specSchema: elastiCacheSpecSchema,
  statusSchema: elastiCacheStatusSchema,
  outputSchema: elastiCacheOutputSchema,
  columns: [
    { name: 'Cluster', type: 'string', description: 'Cluster id in AWS.', jsonPath: '.status.cacheClusterId', priority: 0 },
    { name: 'Engine', type: 'string', description: 'redis or memcached.', jsonPath: '.spec.engine', priority: 0 },
    { name: 'Nodes', type: 'integer', description: 'Number of nodes.', jsonPath: '.spec.numCacheNodes', priority: 0 },
    { name: 'Status', type: 'string', description: 'AWS cluster status.', jsonPath: '.status.cacheClusterStatus', priority: 0 },
    { name: 'Node Type', type: 'string', description: 'Node type.', jsonPath: '.spec.cacheNodeType', priority: 1 },
    { name: 'Version', type: 'string', description: 'Engine version.', jsonPath: '.status.engineVersion', priority: 1 },
    { name: 'ARN', type: 'string', description: 'Cluster ARN.', jsonPath: '.status.arn', priority: 1 },
  ],
  immutableFields: ['cacheClusterId', 'engine', 'port', 'azMode', 'preferredAvailabilityZone', 'preferredAvailabilityZones', 'cacheSubnetGroupName'],
  tagLimit: 50,
  awsErrorCodes: {
    notFound: ['CacheClusterNotFoundFault', 'CacheClusterNotFound'],
    inUse: ['CacheClusterAlreadyExistsFault', 'InvalidCacheClusterStateFault'],
    invalid: ['CacheSubnetGroupNotFoundFault', 'CacheParameterGroupNotFoundFault', 'InvalidVPCNetworkStateFault', 'InsufficientCacheClusterCapacityFault', 'InvalidParameterValueException', 'InvalidParameterCombinationException'],
  },
  canonicalSpec,
  validate: validateSpec,
  validateUpdate,
  changeEventServices: ['elasticache'],
  aws: elastiCacheAws,
};

export default elastiCache;
