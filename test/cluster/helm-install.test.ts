// The Helm chart installed by the real helm (test/helm/) into the real control plane. kube-apiserver
// admits every object the chart makes; our server, run with the chart's ServiceAccount token and the
// serving certificate the chart generated, is registered through the chart's APIService (and its
// caBundle) and becomes Available; the chart's RBAC is all it needs; `helm upgrade` keeps the
// generated CA; `helm uninstall` removes everything.
//
// What stands in for a cluster's network, as in test/controlplane/aggregated-server.ts: the chart's
// Deployment runs with 0 replicas (there is no kubelet; the server runs as a local process), and the
// chart's Service and the APIService's port are pointed at that process (an ExternalName Service).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startMoto, type LocalAws } from '../../src/aws/moto.js';
import { API_SERVICE, SERVER_NAMESPACE, SERVER_USER, startReplica, waitForApiService, type Replica } from '../controlplane/aggregated-server.js';
import { startControlPlane, type ControlPlane } from '../controlplane/control-plane.js';
import { ensureHelm } from '../helm/build.js';
import { eventually } from '../support/eventually.js';
import { awsEnvironment } from '../support/processes.js';
import { auditEvents } from '../support/real-cluster.js';

const CHART = 'deploy/helm/aws-service-apiserver';
const RELEASE = 'aws-service-apiserver';

let cp: ControlPlane;
let moto: LocalAws;
let server: Replica | undefined;
let helmBinary: string;
const helmHome = mkdtempSync(join(tmpdir(), 'helm-home-'));

async function helm(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(helmBinary, [...args, '--kubeconfig', cp.adminKubeconfig, '--namespace', SERVER_NAMESPACE], { env: { PATH: process.env.PATH ?? '', HOME: helmHome } });
  return stdout;
}

const secretData = async () => (await cp.admin.json<{ data: Record<string, string> }>(['get', 'secret', 'aws-service-apiserver-serving', '-n', SERVER_NAMESPACE])).data;
const caBundle = async () => (await cp.admin.json<{ spec: { caBundle: string } }>(['get', 'apiservice', API_SERVICE])).spec.caBundle;

beforeAll(async () => {
  helmBinary = await ensureHelm();
  cp = await startControlPlane({ auditedUsers: [SERVER_USER] });
  moto = await startMoto();
}, 30 * 60_000);

afterAll(async () => {
  await server?.stop();
  await moto?.stop();
  await cp?.stop();
});

test('helm install: kube-apiserver admits the chart, and the server it registers becomes Available', async () => {
  const out = await helm('install', RELEASE, CHART, '--create-namespace', '--set', 'replicas=0', '--set', 'clusterName=helm', '--wait', '--timeout', '2m');
  expect(out).toContain('STATUS: deployed');

  // The serving certificate and the ServiceAccount the chart made, as a pod of its Deployment would mount them.
  const data = await secretData();
  const dir = mkdtempSync(join(tmpdir(), 'helm-serving-'));
  const file = (name: string) => {
    const path = join(dir, name);
    writeFileSync(path, Buffer.from(data[name], 'base64'), { mode: 0o600 });
    return path;
  };
  const token = (await cp.admin.ok(['create', 'token', 'aws-service-apiserver', '-n', SERVER_NAMESPACE])).trim();
  const serving = { certFile: file('tls.crt'), keyFile: file('tls.key'), caPem: Buffer.from(data['ca.crt'], 'base64').toString(), apiService: { spec: { service: {} } } };
  server = await startReplica({ cp, name: 'helm-0', kubeconfig: cp.tokenKubeconfig('aws-service-apiserver', token, SERVER_NAMESPACE), serving, clusterName: 'helm', awsEnvironment: awsEnvironment(moto.endpoint), logDir: dir });

  // The cluster network stand-in: the chart's Service and APIService lead to that process.
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'aws-service-apiserver', namespace: SERVER_NAMESPACE }, spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ name: 'https', port: server.port }] } };
  await cp.admin.ok(['delete', 'service', 'aws-service-apiserver', '-n', SERVER_NAMESPACE]);
  await cp.admin.ok(['apply', '-f', '-'], { input: JSON.stringify(service) });
  await cp.admin.ok(['patch', 'apiservice', API_SERVICE, '--type=merge', '-p', JSON.stringify({ spec: { service: { port: server.port } } })]);

  await waitForApiService(cp, 'True');
  // The chart's caBundle is the CA of the chart's certificate: kube-apiserver verified it to get here.
  expect(Buffer.from(await caBundle(), 'base64').toString()).toBe(serving.caPem);
  const kubectl = cp.admin.inNamespace('default');
  await eventually('a table through the aggregator', async () => (await kubectl.run(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', metadata: { name: 'charted' }, spec: { hashAttribute: { name: 'id', type: 'S' } } }) })).code === 0);
  expect((await kubectl.json<{ data: Record<string, string> }>(['get', 'configmap', 'charted'])).data.tableName).toBe('helm.default.charted');
  const refused = auditEvents(cp).filter((e) => e.user.username === SERVER_USER && e.responseStatus?.code === 403);
  expect(refused.map((e) => `${e.verb} ${e.requestURI}`)).toEqual([]);
});

test('helm upgrade keeps the generated CA; helm uninstall removes the APIService, RBAC and the rest', async () => {
  const before = { secret: await secretData(), caBundle: await caBundle() };
  // The chart's own Service again (helm re-creates what is missing), in place of the stand-in.
  await cp.admin.ok(['delete', 'service', 'aws-service-apiserver', '-n', SERVER_NAMESPACE]);
  expect(await helm('upgrade', RELEASE, CHART, '--reuse-values', '--set', 'flags.resync-period=60')).toContain('STATUS: deployed');
  expect((await secretData())['ca.crt']).toBe(before.secret['ca.crt']);
  expect(await caBundle()).toBe(before.caBundle);

  await helm('uninstall', RELEASE, '--wait');
  for (const [kind, name] of [['apiservice', API_SERVICE], ['clusterrole', 'aws-service-apiserver'], ['clusterrolebinding', 'aws-service-apiserver:system:auth-delegator'], ['serviceaccount', 'aws-service-apiserver'], ['secret', 'aws-service-apiserver-serving']]) {
    const result = await cp.admin.run(['get', kind, name, '-n', SERVER_NAMESPACE]);
    expect([kind, result.stderr]).toEqual([kind, expect.stringContaining('NotFound')]);
  }
});
