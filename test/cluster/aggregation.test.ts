// The aggregated path end to end on a real control plane (etcd, kube-apiserver, kube-controller-
// manager built from the official sources): the APIService becomes Available, kubectl discovers and
// explains the group through kube-apiserver, the seed article's app applies unchanged and gets its
// ConfigMap, the garbage collector removes that ConfigMap after the object, watches and waits work
// through the aggregator (including out-of-band AWS changes), and server-side apply and server dry
// runs pass through kube-apiserver. Last, the audit log shows the server's ServiceAccount used
// exactly the permissions deploy/ grants it.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { parseAllDocuments, parse } from 'yaml';
import { tableNames } from '../support/aws.js';
import { eventually } from '../support/eventually.js';
import { auditEvents, startTestCluster, type TestCluster } from '../support/real-cluster.js';
import { generateClusterCertificates } from '../../certs/cluster-certificates.js';
import { KINDS } from '../../src/kinds/index.js';
import { apiServiceAvailable, SERVER_NAMESPACE, SERVER_USER } from '../controlplane/aggregated-server.js';

let t: TestCluster;
const ddb = () => t.aws.client(DynamoDBClient);
const table = (name: string, spec: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', metadata: { name }, spec: { hashAttribute: { name: 'id', type: 'S' }, readCapacityUnits: 1, writeCapacityUnits: 1, ...spec } });

beforeAll(async () => {
  t = await startTestCluster({ clusterName: 'aggregation' });
});

afterAll(async () => {
  await t?.stop();
});

describe('registration and discovery through kube-apiserver', () => {
  test('the APIService of apiservice/ is Available', async () => {
    expect(await apiServiceAvailable(t.cluster.cp)).toMatchObject({ status: 'True', reason: 'Passed' });
  });

  test('kubectl api-resources lists every kind with its short names, verbs and the aws category', async () => {
    const out = await t.kubectl().ok(['api-resources', '--api-group=service-operator.aws', '-o', 'wide']);
    for (const plural of KINDS.map((kind) => kind.names.plural)) {
      expect(out).toMatch(new RegExp(`^${plural}\\s.*service-operator.aws/v1alpha1\\s+true\\s+\\w+\\s+.*delete.*deletecollection.*watch.*\\saws`, 'm'));
    }
  });

  test('kubectl explain reads the OpenAPI v3 and v2 documents kube-apiserver aggregates from us', async () => {
    // startLocalCluster waited for kube-apiserver to serve our OpenAPI v3 document (it fetches it after the APIService is Available).
    const v3 = await t.kubectl().ok(['explain', 'dynamodb.spec.hashAttribute']);
    expect(v3).toContain('GROUP:      service-operator.aws');
    expect(v3).toMatch(/name\s+<string> -required-/);
    const v2 = await t.kubectl().ok(['explain', 'dynamodb.spec', '--output=plaintext-openapiv2']);
    expect(v2).toContain('readCapacityUnits');
    const aggregated = JSON.parse(await t.kubectl().ok(['get', '--raw', '/openapi/v2'])) as { definitions: Record<string, { 'x-kubernetes-group-version-kind'?: { group: string; kind: string }[] }> };
    const ours = Object.values(aggregated.definitions).flatMap((d) => d['x-kubernetes-group-version-kind'] ?? []).filter((gvk) => gvk.group === 'service-operator.aws');
    expect(ours.map((gvk) => gvk.kind)).toEqual(expect.arrayContaining(KINDS.map((kind) => kind.names.kind)));
  });
});

describe("the seed article's app", () => {
  const manifest = 'examples/dynamodb-app.yaml';

  test('applies unchanged: the table exists and the ConfigMap holds every key the Deployment reads', async () => {
    const out = await t.kubectl().ok(['apply', '-f', manifest]);
    expect(out).toMatch(/dynamodb.service-operator.aws\/dynamo-table created/);
    expect(out).toMatch(/deployment.apps\/frontend created/);
    const described = await ddb().send(new DescribeTableCommand({ TableName: 'aggregation.default.dynamo-table' }));
    expect(described.Table?.TableStatus).toBe('ACTIVE');

    // Every configMapKeyRef of the Deployment's pod template resolves, so its pods start with their environment.
    const deployment = parseAllDocuments(readFileSync(manifest, 'utf8')).map((d) => d.toJS() as { kind: string; spec: { template: { spec: { containers: { env?: { valueFrom?: { configMapKeyRef?: { name: string; key: string } } }[] }[] } } } }).find((d) => d.kind === 'Deployment');
    const refs = (deployment?.spec.template.spec.containers ?? []).flatMap((c) => c.env ?? []).flatMap((e) => (e.valueFrom?.configMapKeyRef ? [e.valueFrom.configMapKeyRef] : []));
    expect(refs).toEqual([{ name: 'dynamo-table', key: 'tableName' }]);
    const configMap = await t.kubectl().json<{ data: Record<string, string>; metadata: { ownerReferences: { kind: string; name: string; uid: string }[] } }>(['get', 'configmap', 'dynamo-table']);
    for (const ref of refs) expect(configMap.data[ref.key]).toBe('aggregation.default.dynamo-table');
    const object = await t.kubectl().json<{ metadata: { uid: string } }>(['get', 'dynamodb', 'dynamo-table']);
    expect(configMap.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'DynamoDB', name: 'dynamo-table', uid: object.metadata.uid, controller: true })]);

    // kube-controller-manager made the Deployment's pod (nothing runs it here: no kubelet), and what it reads exists.
    const pods = await eventually('the Deployment to have a pod', async () => {
      const list = await t.kubectl().json<{ items: { spec: { containers: { env: { valueFrom?: { configMapKeyRef?: { name: string; key: string } } }[] }[] } }[] }>(['get', 'pods', '-l', 'app=frontend']);
      return list.items.length ? list.items : undefined;
    });
    const podRefs = pods[0].spec.containers.flatMap((c) => c.env).flatMap((e) => (e.valueFrom?.configMapKeyRef ? [e.valueFrom.configMapKeyRef] : []));
    for (const ref of podRefs) expect(configMap.data[ref.key]).toBeDefined();
  });

  test('kubectl delete -f deletes the table, and the garbage collector the ConfigMap', async () => {
    await t.kubectl().ok(['delete', '-f', manifest, '--wait=true']);
    expect(await tableNames(t.aws)).not.toContain('aggregation.default.dynamo-table');
    // The ConfigMap's ownerReference resolves through our discovery: the garbage collector finds the owner gone.
    await eventually('the garbage collector to delete the ConfigMap', async () => (await t.kubectl().run(['get', 'configmap', 'dynamo-table'])).stderr.includes('NotFound'), { timeoutMs: 60_000 });
  });
});

test('kubectl get aws lists the objects of every kind through the aggregator', async () => {
  await t.kubectl().ok(['apply', '-f', 'examples/sqsqueue.yaml', '-f', 'examples/snstopic.yaml']);
  const out = await t.kubectl().ok(['get', 'aws']);
  expect(out).toMatch(/sqsqueue.service-operator.aws\//);
  expect(out).toMatch(/snstopic.service-operator.aws\//);
  await t.kubectl().ok(['delete', '-f', 'examples/sqsqueue.yaml', '-f', 'examples/snstopic.yaml']);
});

describe('watch and wait through the aggregator', () => {
  test('kubectl get -w sees in-band and out-of-band changes; kubectl wait sees Ready', async () => {
    const watch = t.kubectl().start(['get', 'dynamodbs', '-w', '--output-watch-events']);
    try {
      await t.kubectl().ok(['apply', '-f', '-'], { input: table('watched') });
      await t.kubectl().ok(['wait', '--for=condition=Ready', 'dynamodb/watched', '--timeout=60s']);
      await watch.waitForOutput('the creation', (out) => /ADDED\s+watched\s+aggregation\.default\.watched\s+ACTIVE/.test(out));

      await ddb().send(new UpdateTableCommand({ TableName: 'aggregation.default.watched', BillingMode: 'PAY_PER_REQUEST' }));
      await watch.waitForOutput('the out-of-band change', (out) => /MODIFIED\s+watched\s+aggregation\.default\.watched\s+\S+\s+PAY_PER_REQUEST/.test(out));

      await t.kubectl().ok(['delete', 'dynamodb', 'watched']);
      await watch.waitForOutput('the deletion', (out) => /DELETED\s+watched\s/.test(out));
    } finally {
      await watch.stop();
    }
  });
});

describe('writes through kube-apiserver', () => {
  test('server-side apply creates, records kubectl as the field manager, and re-applies', async () => {
    await t.kubectl().ok(['apply', '--server-side', '-f', '-'], { input: table('applied') });
    const object = await t.kubectl().json<{ metadata: { managedFields: { manager: string; operation: string }[] } }>(['get', 'dynamodb', 'applied', '--show-managed-fields']);
    expect(object.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'kubectl', operation: 'Apply' })]);
    await t.kubectl().ok(['apply', '--server-side', '-f', '-'], { input: table('applied', { readCapacityUnits: 2 }) });
    const described = await ddb().send(new DescribeTableCommand({ TableName: 'aggregation.default.applied' }));
    expect(described.Table?.ProvisionedThroughput?.ReadCapacityUnits).toBe(2);
  });

  test('--dry-run=server validates and answers but changes nothing in AWS', async () => {
    const before = await tableNames(t.aws);
    const created = await t.kubectl().ok(['apply', '--dry-run=server', '-f', '-'], { input: table('dry') });
    expect(created).toContain('dynamodb.service-operator.aws/dry created (server dry run)');
    await t.kubectl().ok(['apply', '--server-side', '--dry-run=server', '-f', '-'], { input: table('applied', { readCapacityUnits: 5 }) });
    expect(await tableNames(t.aws)).toEqual(before);
    const described = await ddb().send(new DescribeTableCommand({ TableName: 'aggregation.default.applied' }));
    expect(described.Table?.ProvisionedThroughput?.ReadCapacityUnits).toBe(2);
    const invalid = await t.kubectl().run(['apply', '--dry-run=server', '-f', '-'], { input: table('bad', { readCapacityUnits: 'many' }) });
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toMatch(/readCapacityUnits/);
  });

  test('an outputs ConfigMap that is not ours is left alone, with a Warning Event on the object', async () => {
    await t.kubectl().ok(['create', 'configmap', 'taken', '--from-literal=mine=yes']);
    const out = await t.kubectl().run(['apply', '-f', '-'], { input: table('taken') });
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(/Warning: .*ConfigMap/);
    const events = await eventually('the Warning Event', async () => {
      const list = await t.kubectl().json<{ items: { reason: string; involvedObject: { kind: string; name: string } }[] }>(['get', 'events', '--field-selector', 'involvedObject.name=taken']);
      return list.items.find((e) => e.involvedObject.kind === 'DynamoDB') ? list.items : undefined;
    });
    expect(events[0].reason).toBe('OutputsConfigMapFailed');
    expect((await t.kubectl().json<{ data: Record<string, string> }>(['get', 'configmap', 'taken'])).data).toEqual({ mine: 'yes' });
  });

  test('an outputs ConfigMap changed by hand is put back on the next write', async () => {
    await t.kubectl().ok(['patch', 'configmap', 'applied', '--type=merge', '-p', '{"data":{"tableName":"somebody-else"}}']);
    await t.kubectl().ok(['apply', '--server-side', '-f', '-'], { input: table('applied', { readCapacityUnits: 3 }) });
    expect((await t.kubectl().json<{ data: Record<string, string> }>(['get', 'configmap', 'applied'])).data.tableName).toBe('aggregation.default.applied');
  });
});

describe('the install manifests, validated and admitted by kube-apiserver (server-side dry run)', () => {
  test.each([
    ['deploy/ (kustomize)', ['-k', 'deploy/']],
    ['apiservice/apiservice.yaml', ['-f', 'apiservice/apiservice.yaml']],
  ])('%s', async (_name, source) => {
    // Over what local-cluster installed (an ExternalName Service stands in for deploy/'s): validation
    // and admission (PodSecurity restricted for the Deployment) by kube-apiserver, nothing stored.
    const out = await t.kubectl(null).ok(['apply', '--dry-run=server', ...source]);
    expect(out).toMatch(/\(server dry run\)/);
    expect(out).not.toMatch(/Warning/);
  });

  test('what npm run certs writes: the serving Secret and the APIService with its caBundle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'certs-'));
    const files = generateClusterCertificates({ namespace: SERVER_NAMESPACE, service: 'aws-service-apiserver', clusterDomain: 'cluster.local', days: 1, outDir: dir, apiServiceTemplate: 'apiservice/apiservice.yaml', certManager: false });
    const manifests = files.filter((f) => f.endsWith('.yaml'));
    expect(manifests.map((f) => basename(f)).sort()).toEqual(['apiservice.yaml', 'serving-secret.yaml']);
    const out = await t.kubectl(null).ok(['apply', '--dry-run=server', ...manifests.flatMap((f) => ['-f', f])]);
    expect(out).toContain('secret/aws-service-apiserver-serving created (server dry run)');
    expect(out).toContain('apiservice.apiregistration.k8s.io/v1alpha1.service-operator.aws configured (server dry run)');
  });
});

test("the server's ServiceAccount was never refused, and used every permission deploy/ grants it", async () => {
  type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
  const granted = readFileSync('deploy/base/rbac-server.yaml', 'utf8')
    .split(/^---$/m)
    .map((doc) => parse(doc) as { kind: string; rules?: Rule[] })
    .filter((doc) => doc.kind === 'ClusterRole' || doc.kind === 'Role')
    .flatMap((role) => role.rules ?? [])
    .flatMap((rule) => rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${verb} ${resource}`)));
  const events = auditEvents(t.cluster.cp).filter((e) => e.user.username === SERVER_USER);
  expect(events.filter((e) => e.responseStatus?.code === 403).map((e) => `${e.verb} ${e.requestURI}: ${e.responseStatus?.message}`)).toEqual([]);
  const used = new Set(events.map((e) => `${e.verb} ${e.objectRef?.resource}`));
  expect(granted.filter((permission) => !used.has(permission))).toEqual([]);
});
