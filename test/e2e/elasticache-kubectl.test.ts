// ElastiCache through kubectl. What moto can show is tested against moto itself: the original
// operator's example applying unchanged, the cluster and its tags in AWS, default cluster ids, names
// that are taken, bad input, a delete starting. What moto cannot show (a cluster that takes time to
// create and delete, endpoints, ModifyCacheCluster) is tested against moto with src/aws/moto_fills.py,
// a FAKE of those parts of ElastiCache, and says so in the test names.
import { CreateCacheClusterCommand, DescribeCacheClustersCommand, ElastiCacheClient, ListTagsForResourceCommand } from '@aws-sdk/client-elasticache';
import { readFileSync } from 'node:fs';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { expectFailure, Manifests } from '../support/manifests.js';

const manifests = new Manifests();
const ORIGINAL = readFileSync('examples/elasticache.yaml', 'utf8');

interface CacheObject {
  metadata: { generation: number; deletionTimestamp?: string };
  spec: Record<string, unknown>;
  status: { cacheClusterStatus: string; resourceStatus: string; conditions: { type: string; status: string }[] };
  output: Record<string, string>;
}

const clusters = (env: TestEnvironment) => env.aws.client(ElastiCacheClient);
const describe_ = async (env: TestEnvironment, id: string) => (await clusters(env).send(new DescribeCacheClustersCommand({ CacheClusterId: id, ShowCacheNodeInfo: true }))).CacheClusters?.[0];

describe('against moto', () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await startEnvironment({ clusterName: 'ec' });
  });
  afterAll(async () => {
    await env?.stop();
  });

  test("the original operator's example applies unchanged, and the cluster is in AWS with our tags", async () => {
    expect(await env.kubectl.ok(['apply', '--validate=strict', '-f', manifests.file(ORIGINAL)])).toContain('elasticache.service-operator.aws/memcached13 created');
    const id = await env.kubectl.ok(['get', 'ec', 'memcached13', '-o', 'jsonpath={.status.cacheClusterId}']);
    expect(id.length).toBeLessThanOrEqual(40);
    const cluster = await describe_(env, id);
    expect(cluster).toMatchObject({ Engine: 'memcached', EngineVersion: '1.5.10', NumCacheNodes: 1, CacheNodeType: 'cache.m4.large', CacheSubnetGroupName: 'loadtest-cluster-k8s' });
    const tags = (await clusters(env).send(new ListTagsForResourceCommand({ ResourceName: cluster?.ARN }))).TagList;
    expect(tags).toEqual(expect.arrayContaining([{ Key: 'service-operator.aws/namespace', Value: 'default' }, { Key: 'service-operator.aws/name', Value: 'memcached13' }]));
    expect(await env.kubectl.ok(['get', 'elasticaches'])).toMatch(/memcached13\s+ec-default-memcached13-[0-9a-f]{12}\s+memcached\s+1\s+available/);
    await env.kubectl.ok(['wait', '--for=condition=Ready', '--timeout=30s', 'ec/memcached13']);
    expect(Object.keys((await env.kubectl.json<CacheObject>(['get', 'ec', 'memcached13'])).output).sort()).toEqual(['configurationEndpoint', 'configurationEndpointPort', 'redisEndpointAddress', 'redisEndpointPort']);
  });

  test('kubectl explain documents the fields, and the lists that take a comma-separated string', async () => {
    const explained = await env.kubectl.ok(['explain', 'elasticache.spec']);
    for (const field of ['cacheNodeType', 'numCacheNodes', 'vpcSecurityGroupIds', 'preferredAvailabilityZones', 'snapshotWindow', 'cacheClusterId']) expect(explained).toContain(field);
    expect(await env.kubectl.ok(['explain', 'elasticache.spec.vpcSecurityGroupIds'])).toContain('comma-separated');
  });

  test('bad input is 422 with field causes, before AWS is touched', async () => {
    const bad = async (spec: string) => expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('ElastiCache', 'bad', spec)]));
    expect(await bad('  cacheNodeType: cache.t3.micro\n  numCacheNodes: 2\n')).toContain('spec.numCacheNodes: Invalid value: 2: a redis cache cluster has exactly one node');
    expect(await bad('  cacheNodeType: cache.t3.micro\n  vpcSecurityGroupIds: 5\n')).toContain('spec.vpcSecurityGroupIds');
    expect(await bad('  cacheNodeType: cache.t3.micro\n  cacheClusterId: Not_Valid\n')).toContain('spec.cacheClusterId');
    expect(await bad('  engine: valkey\n  cacheNodeType: cache.t3.micro\n')).toContain('spec.engine: Unsupported value: "valkey"');
    expect((await clusters(env).send(new DescribeCacheClustersCommand({}))).CacheClusters?.map((c) => c.CacheClusterId)).not.toContain(expect.stringContaining('bad'));
  });

  test('a cluster id no object of this namespace owns is refused (409), not adopted', async () => {
    await clusters(env).send(new CreateCacheClusterCommand({ CacheClusterId: 'someone-elses', Engine: 'redis', CacheNodeType: 'cache.t3.micro', NumCacheNodes: 1 }));
    const refused = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('ElastiCache', 'mine', '  cacheClusterId: someone-elses\n  cacheNodeType: cache.t3.micro\n')]));
    expect(refused).toContain('the AWS resource "someone-elses" already exists and it is not managed by this server');
  });

  test('delete starts the deletion in AWS (moto never finishes one: the rest is tested against the fake)', async () => {
    await env.kubectl.ok(['delete', 'ec', 'memcached13', '--wait=false']);
    const id = 'ec-default-memcached13';
    const cluster = (await clusters(env).send(new DescribeCacheClustersCommand({}))).CacheClusters?.find((c) => c.CacheClusterId?.startsWith(id));
    expect(cluster?.CacheClusterStatus).toBe('deleting');
    const object = await env.kubectl.json<CacheObject>(['get', 'ec', 'memcached13']);
    expect(object.metadata.deletionTimestamp).toBeDefined();
    expect(object.status.resourceStatus).toBe('DELETE_IN_PROGRESS');
  });
});

describe('against moto with ElastiCache completed by a FAKE (src/aws/moto_fills.py: timed states, endpoints, ModifyCacheCluster)', () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await startEnvironment({ clusterName: 'ecfake', fillMotoGaps: true });
  });
  afterAll(async () => {
    await env?.stop();
  });

  const get = () => env.kubectl.json<CacheObject>(['get', 'ec', 'sessions']);
  const MEMCACHED = '  engine: memcached\n  cacheNodeType: cache.t3.micro\n  vpcSecurityGroupIds: "sg-1, sg-2"\n';

  test('[fake] create returns while the cluster is creating; kubectl wait sees Ready, with the configuration endpoint', async () => {
    // What the create answered: the cluster as AWS had it right after CreateCacheCluster.
    const creating = JSON.parse(await env.kubectl.ok(['apply', '-o', 'json', '-f', manifests.object('ElastiCache', 'sessions', MEMCACHED)])) as CacheObject;
    expect([creating.status.cacheClusterStatus, creating.status.resourceStatus]).toEqual(['creating', 'CREATE_IN_PROGRESS']);
    expect(creating.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('False');
    await env.kubectl.ok(['wait', '--for=condition=Ready', '--timeout=60s', 'ec/sessions']);
    const ready = await get();
    expect(ready.status.resourceStatus).toBe('CREATE_COMPLETE');
    expect(ready.output).toEqual({ redisEndpointAddress: '', redisEndpointPort: '', configurationEndpoint: expect.stringContaining('.cfg.'), configurationEndpointPort: '11211' });
    // GET shows the field as the user wrote it (AWS agrees with it: the same two groups).
    expect(ready.spec.vpcSecurityGroupIds).toBe('sg-1, sg-2');
    expect(await env.kubectl.ok(['apply', '-f', manifests.object('ElastiCache', 'sessions', MEMCACHED)])).toContain('unchanged');
    expect((await get()).metadata.generation).toBe(1);
    expect(await env.kubectl.ok(['apply', '-f', manifests.object('ElastiCache', 'sessions', MEMCACHED.replace('"sg-1, sg-2"', '[sg-1, sg-2]'))])).toContain('configured');
    expect(await env.kubectl.ok(['apply', '-f', manifests.object('ElastiCache', 'sessions', MEMCACHED.replace('"sg-1, sg-2"', '[sg-1, sg-2]'))])).toContain('unchanged');
  });

  test('[fake] an update is one ModifyCacheCluster: nodes and security groups change in AWS, the generation goes up', async () => {
    const before = await get();
    const id = before.spec.cacheClusterId as string;
    const changed = manifests.object('ElastiCache', 'sessions', `${MEMCACHED.replace('"sg-1, sg-2"', '[sg-3]')}  numCacheNodes: 2\n`);
    const updating = JSON.parse(await env.kubectl.ok(['apply', '-o', 'json', '-f', changed])) as CacheObject;
    // (The previous test's move to the list form was a change of the spec too, as for a CRD.)
    expect([updating.metadata.generation, updating.status.cacheClusterStatus]).toEqual([before.metadata.generation + 1, 'modifying']);
    await env.kubectl.ok(['wait', '--for=condition=Ready', '--timeout=60s', 'ec/sessions']);
    const cluster = await describe_(env, id);
    expect(cluster?.NumCacheNodes).toBe(2);
    expect(cluster?.SecurityGroups?.map((g) => g.SecurityGroupId)).toEqual(['sg-3']);
    expect((await get()).status.resourceStatus).toBe('UPDATE_COMPLETE');
  });

  test('[fake] what ElastiCache cannot change is refused before AWS is asked: the port (immutable), a lower engine version, dry run too', async () => {
    const port = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('ElastiCache', 'sessions', `${MEMCACHED}  port: 11212\n`)]));
    expect(port).toContain('spec.port: Invalid value: 11212: field is immutable');
    const downgrade = manifests.object('ElastiCache', 'sessions', `${MEMCACHED}  numCacheNodes: 2\n  engineVersion: "1.4.5"\n`);
    expect(expectFailure(await env.kubectl.run(['apply', '--dry-run=server', '-f', downgrade]))).toContain('never downgrades them');
    expect(expectFailure(await env.kubectl.run(['apply', '-f', downgrade]))).toContain('never downgrades them');
  });

  test('[fake] a change or a delete while the cluster is not available is a 409 saying so', async () => {
    // The fake holds a cluster so tagged in its state for that long.
    const held = '  cacheNodeType: cache.t3.micro\n  tags: {moto-fills/transition-seconds: "3600"}\n';
    await env.kubectl.ok(['apply', '-f', manifests.object('ElastiCache', 'busy', held)]);
    const refused = expectFailure(await env.kubectl.run(['apply', '-f', manifests.object('ElastiCache', 'busy', held.replace('t3.micro', 't3.small'))]));
    expect(refused).toContain('the cache cluster is creating');
    expect(expectFailure(await env.kubectl.run(['delete', 'ec', 'busy', '--wait=false']))).toContain('ElastiCache deletes clusters only while they are available');
  });

  test('[fake] a redis cluster has the redis endpoint outputs', async () => {
    await env.kubectl.ok(['apply', '-f', manifests.object('ElastiCache', 'cache', '  cacheNodeType: cache.t3.micro\n')]);
    await env.kubectl.ok(['wait', '--for=condition=Ready', '--timeout=60s', 'ec/cache']);
    const redis = await env.kubectl.json<CacheObject>(['get', 'ec', 'cache']);
    expect(redis.output).toEqual({ redisEndpointAddress: expect.stringContaining('.0001.'), redisEndpointPort: '6379', configurationEndpoint: '', configurationEndpointPort: '' });
  });

  test('[fake] delete: the object shows the deletion while AWS deletes, then is gone, and so is the cluster', async () => {
    const id = (await get()).spec.cacheClusterId as string;
    const deleting = (await env.request('/apis/service-operator.aws/v1alpha1/namespaces/default/elasticaches/sessions', { method: 'DELETE' })).json<CacheObject>();
    expect([deleting.status.cacheClusterStatus, deleting.metadata.deletionTimestamp]).toEqual(['deleting', expect.any(String)]);
    await env.kubectl.ok(['delete', 'ec', 'cache', '--wait=false']);
    await env.kubectl.ok(['wait', '--for=delete', '--timeout=60s', 'ec/sessions', 'ec/cache']);
    expect(await describe_(env, id).catch((error: Error) => error.name)).toBe('CacheClusterNotFoundFault');
  });
});
