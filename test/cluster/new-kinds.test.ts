// ElastiCache, CloudFormationTemplate and CloudFormationStack on the real control plane, through
// kube-apiserver: explain reads their aggregated OpenAPI, their examples apply and become Ready with
// their outputs in ConfigMaps (the stack's too), a stack's update is described in an Event, the
// aggregated roles of deploy/ let `edit` write templates and caches but only `admin` write stacks,
// and everything deletes cleanly, ConfigMaps by the garbage collector. moto's ElastiCache gaps are
// filled by the labelled fake (src/aws/moto_fills.py), as npm run local-cluster has it.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeCacheClustersCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { eventually } from '../support/eventually.js';
import { Kubectl } from '../support/kubectl.js';
import { startTestCluster, type TestCluster } from '../support/real-cluster.js';

let t: TestCluster;
const EXAMPLES = ['examples/dynamodb.yaml', 'examples/elasticache.yaml', 'examples/cloudformationtemplate.yaml', 'examples/cloudformationstack.yaml'];
const configMap = (name: string) => t.kubectl().json<{ data: Record<string, string>; metadata: { ownerReferences: { kind: string; name: string }[] } }>(['get', 'configmap', name]);

beforeAll(async () => {
  t = await startTestCluster({ clusterName: 'newkinds' });
});

afterAll(async () => {
  await t?.stop();
});

test('kubectl explain documents the new kinds through kube-apiserver', async () => {
  expect(await t.kubectl().ok(['explain', 'elasticache.spec.vpcSecurityGroupIds'])).toContain('comma-separated');
  expect(await t.kubectl().ok(['explain', 'cloudformationtemplate.data.template'])).toContain('ValidateTemplate');
  const parameters = await t.kubectl().ok(['explain', 'cloudformationstack.spec.parameters']);
  expect(parameters).toContain('valueFrom');
  expect(await t.kubectl().ok(['explain', 'cft.output'])).toContain('url');
});

test('the examples apply through kube-apiserver, become Ready, and their outputs are in ConfigMaps owned by them', async () => {
  for (const file of EXAMPLES) await t.kubectl().ok(['apply', '--validate=strict', '-f', file]);
  await t.kubectl().ok(['wait', '--for=condition=Ready', '--timeout=90s', 'elasticache/memcached13', 'elasticache/sessions', 'cft/queue-with-alarm-topic', 'cloudformationstack/work-queue', 'cloudformationstack/table-exports']);
  const memcached = await configMap('memcached13');
  expect(memcached.data.configurationEndpoint).toContain('.cfg.');
  expect(memcached.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'ElastiCache', name: 'memcached13' })]);
  expect((await configMap('sessions')).data.redisEndpointPort).toBe('6379');
  expect((await configMap('queue-with-alarm-topic')).data.url).toMatch(/^https:\/\/aws-service-apiserver-\d+-us-east-1-[0-9a-f]{8}\.s3\./);
  const stack = await configMap('work-queue');
  expect(Object.keys(stack.data).sort()).toEqual(['AlarmTopicArn', 'QueueArn', 'QueueUrl']);
  expect(stack.data.QueueUrl).toContain('sqs');
  // The parameter came from the DynamoDB example's outputs ConfigMap, read by the server in the cluster
  // (the spec shows it as written, the status the value the stack got).
  const exports = await t.kubectl().json<{ status: { parameters: { name: string; value: string }[] } }>(['get', 'cloudformationstack', 'table-exports']);
  expect(exports.status.parameters).toEqual([{ name: 'TableName', value: (await configMap('example-table-name')).data.tableName }]);
});

test("a stack's update is a change set, described in an Event on the object", async () => {
  const changed = readFileSync('examples/cloudformationstack.yaml', 'utf8').split('---')[0].replace('"1209600"', '"86400"');
  await t.kubectl().ok(['apply', '-f', '-'], { input: changed });
  const event = await eventually('the change set Event', async () => {
    const events = await t.kubectl().json<{ items: { reason: string; message: string; type: string }[] }>(['get', 'events', '--field-selector', 'involvedObject.name=work-queue']);
    return events.items.find((e) => e.reason === 'ChangeSetExecuted');
  });
  expect(event).toMatchObject({ type: 'Normal', message: expect.stringMatching(/^change set service-operator-\d+: Modify \w+ \(AWS::/) });
  const name = (await t.kubectl().json<{ status: { stackName: string } }>(['get', 'cloudformationstack', 'work-queue'])).status.stackName;
  const stack = (await t.aws.client(CloudFormationClient).send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  expect(stack?.Parameters).toEqual([{ ParameterKey: 'RetentionSeconds', ParameterValue: '86400' }]);
});

test('edit may write caches and templates in its namespace, only admin may write stacks (deploy/\'s aggregated roles)', async () => {
  const bindings = ['edit', 'admin'].map((role) =>
    stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `${role}-users`, namespace: 'default' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `an-${role}` }] }),
  );
  await t.kubectl().ok(['apply', '-f', '-'], { input: bindings.join('---\n') });
  const canI = async (user: string, verb: string, resource: string) => (await new Kubectl(t.cluster.cp.userKubeconfig(user), null).run(['auth', 'can-i', verb, `${resource}.service-operator.aws`, '-n', 'default'])).stdout.trim();
  await eventually('the aggregated roles to reach the bindings', async () => (await canI('an-admin', 'create', 'cloudformationstacks')) === 'yes');
  for (const resource of ['elasticaches', 'cloudformationtemplates']) expect([resource, await canI('an-edit', 'create', resource)]).toEqual([resource, 'yes']);
  expect(await canI('an-edit', 'create', 'cloudformationstacks')).toBe('no');
  expect(await canI('an-edit', 'get', 'cloudformationstacks')).toBe('yes');
  const refused = await new Kubectl(t.cluster.cp.userKubeconfig('an-edit'), null).run(['apply', '-f', '-'], { input: readFileSync('examples/cloudformationstack.yaml', 'utf8').split('---')[0].replace('work-queue', 'edits-stack') });
  expect(refused.stderr).toContain('forbidden');
});

test('everything deletes cleanly: the AWS resources, the objects, and the garbage collector takes their ConfigMaps', async () => {
  const id = (await t.kubectl().json<{ status: { cacheClusterId: string } }>(['get', 'ec', 'memcached13'])).status.cacheClusterId;
  for (const file of [...EXAMPLES].reverse()) await t.kubectl().ok(['delete', '-f', file, '--wait=true', '--timeout=90s']);
  await expect(t.aws.client(ElastiCacheClient).send(new DescribeCacheClustersCommand({ CacheClusterId: id }))).rejects.toThrow(/not found/);
  for (const name of ['memcached13', 'work-queue', 'queue-with-alarm-topic']) {
    await eventually(`the ConfigMap ${name} to go`, async () => (await t.kubectl().run(['get', 'configmap', name])).stderr.includes('NotFound'), { timeoutMs: 60_000 });
  }
});
