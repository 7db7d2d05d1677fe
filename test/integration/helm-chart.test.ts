// The Helm chart (deploy/helm/aws-service-apiserver) rendered by the real helm, built from its Go
// module (test/helm/), against the kustomize base (`kubectl kustomize deploy/`): the same objects
// and names, RBAC rules, ports, probes, flags and security settings; its certificate modes give
// kube-apiserver a CA that really signed the serving certificate; every object is valid against the
// Kubernetes API schemas; `helm lint` passes.
//
// Installed into the real control plane (helm install, upgrade, uninstall, the APIService becoming
// Available): test/cluster/helm-install.test.ts.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { ensureHelm } from '../helm/build.js';
import { find, kustomize, parseManifests, validateAgainstKubernetes, type Loose, type Manifest } from '../support/install-manifests.js';

const CHART = 'deploy/helm/aws-service-apiserver';
const NAMESPACE = 'aws-service-apiserver';
/** What deploy/ sets, so that the rendered chart must equal it. */
const LIKE_DEPLOY = ['--set', 'clusterName=my-cluster', '--set', 'irsa.roleArn=arn:aws:iam::111122223333:role/aws-service-apiserver', '--set', 'image.tag=0.1.0'];

let helm: string;

function template(...args: string[]): Manifest[] {
  return parseManifests(execFileSync(helm, ['template', 'aws-service-apiserver', CHART, '--namespace', NAMESPACE, ...args], { encoding: 'utf8' }));
}

const identity = (m: Manifest) => `${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}`;
/** kustomize's configMapGenerator appends a content hash to the name (and its references); the chart's has none. */
const unhashed = (m: Manifest): Manifest => JSON.parse(JSON.stringify(m).replace(/(aws-service-apiserver-settings)-[a-z0-9]{10}\b/g, '$1')) as Manifest;

const deploy = kustomize('deploy').map(unhashed);
let chart: Manifest[];

beforeAll(async () => {
  helm = await ensureHelm();
  chart = template(...LIKE_DEPLOY);
}, 30 * 60_000);

test('helm lint passes', () => {
  expect(execFileSync(helm, ['lint', CHART, ...LIKE_DEPLOY], { encoding: 'utf8' })).toContain('0 chart(s) failed');
});

test('the same objects as deploy/, plus the APIService and the generated certificate, minus the Namespace', () => {
  const fromDeploy = deploy.filter((m) => m.kind !== 'Namespace').map(identity).sort();
  const extras = ['APIService /v1alpha1.service-operator.aws', `Secret ${NAMESPACE}/aws-service-apiserver-serving`];
  // The release namespace comes from `helm install --namespace ... --create-namespace`, as is usual for charts.
  expect(deploy.filter((m) => m.kind === 'Namespace').map(identity)).toEqual([`Namespace /${NAMESPACE}`]);
  expect(chart.map(identity).sort()).toEqual([...fromDeploy, ...extras].sort());
});

test('RBAC: the same rules, aggregation labels, role references and subjects', () => {
  for (const m of deploy.filter((d) => ['ClusterRole', 'Role'].includes(d.kind))) {
    const rendered = find(chart, m.kind, m.metadata.name);
    expect([identity(m), rendered.rules]).toEqual([identity(m), (m as Loose).rules]);
    const aggregation = (labels: Record<string, string> = {}) => Object.fromEntries(Object.entries(labels).filter(([key]) => key.startsWith('rbac.authorization.k8s.io/')));
    expect(aggregation(rendered.metadata.labels)).toEqual(aggregation(m.metadata.labels));
  }
  for (const m of deploy.filter((d) => d.kind.endsWith('Binding'))) {
    const rendered = find(chart, m.kind, m.metadata.name);
    expect([identity(m), rendered.roleRef, rendered.subjects]).toEqual([identity(m), (m as Loose).roleRef, (m as Loose).subjects]);
  }
});

test('the Deployment and Service: ports, probes, flags, environment, security, volumes, resources, replicas', () => {
  const expected = find(deploy, 'Deployment', 'aws-service-apiserver');
  const rendered = find(chart, 'Deployment', 'aws-service-apiserver');
  expect(rendered.spec.replicas).toBe(expected.spec.replicas);
  expect(rendered.spec.selector).toEqual(expected.spec.selector);
  const [pod, want] = [rendered.spec.template.spec, expected.spec.template.spec];
  for (const field of ['serviceAccountName', 'securityContext', 'affinity', 'volumes']) expect([field, pod[field]]).toEqual([field, want[field]]);
  const [container, wanted] = [pod.containers[0], want.containers[0]];
  for (const field of ['name', 'image', 'args', 'env', 'ports', 'livenessProbe', 'readinessProbe', 'resources', 'securityContext', 'volumeMounts']) {
    expect([field, container[field]]).toEqual([field, wanted[field]]);
  }
  const service = find(chart, 'Service', 'aws-service-apiserver');
  expect(service.spec).toEqual(find(deploy, 'Service', 'aws-service-apiserver').spec);
  expect(find(chart, 'PodDisruptionBudget', 'aws-service-apiserver').spec).toEqual(find(deploy, 'PodDisruptionBudget', 'aws-service-apiserver').spec);
  expect(find(chart, 'ConfigMap', 'aws-service-apiserver-settings').data).toEqual(find(deploy, 'ConfigMap', 'aws-service-apiserver-settings').data);
  expect(find(chart, 'ServiceAccount', 'aws-service-apiserver').metadata.annotations).toEqual(find(deploy, 'ServiceAccount', 'aws-service-apiserver').metadata.annotations);
});

test('generated certificates: the APIService trusts the CA that signed the Secret\'s certificate, for the Service names', () => {
  const secret = find(chart, 'Secret', 'aws-service-apiserver-serving');
  const apiService = find(chart, 'APIService', 'v1alpha1.service-operator.aws');
  const ca = new X509Certificate(Buffer.from(apiService.spec.caBundle, 'base64'));
  const serving = new X509Certificate(Buffer.from(secret.data['tls.crt'], 'base64'));
  expect(serving.verify(ca.publicKey)).toBe(true);
  expect(serving.subjectAltName).toContain(`DNS:aws-service-apiserver.${NAMESPACE}.svc`);
  expect(apiService.spec).toMatchObject({ group: 'service-operator.aws', version: 'v1alpha1', service: { name: 'aws-service-apiserver', namespace: NAMESPACE, port: 443 }, insecureSkipTLSVerify: false });
  expect(secret.type).toBe('kubernetes.io/tls');
});

test('cert-manager mode: the issuers and Certificates of deploy/cert-manager, and cainjector fills caBundle', () => {
  const rendered = template(...LIKE_DEPLOY, '--set', 'certificates.mode=certManager');
  const withCertManager = kustomize('deploy/cert-manager');
  for (const m of withCertManager.filter((d) => ['Issuer', 'Certificate'].includes(d.kind))) {
    expect([identity(m), find(rendered, m.kind, m.metadata.name).spec]).toEqual([identity(m), (m as Loose).spec]);
  }
  const apiService = find(rendered, 'APIService', 'v1alpha1.service-operator.aws');
  expect(apiService.metadata.annotations).toEqual({ 'cert-manager.io/inject-ca-from': `${NAMESPACE}/aws-service-apiserver-serving` });
  expect(apiService.spec.caBundle).toBeUndefined();
  expect(rendered.find((m) => m.kind === 'Secret')).toBeUndefined();
});

test('values reach the objects: image, replicas, region, resources, flags, leader election, IRSA, metrics', () => {
  const rendered = template(
    '--set', 'clusterName=prod-eu', '--set', 'region=eu-west-1', '--set', 'replicas=3', '--set', 'image.repository=registry.example/asa', '--set', 'image.tag=1.2.3',
    '--set', 'resources.limits.memory=1Gi', '--set', 'flags.resync-period=60', '--set', 'leaderElection=false', '--set', 'irsa.roleArn=arn:aws:iam::444455556666:role/x',
    '--set', 'metrics.serviceMonitor.enabled=true', '--set', 'metrics.readerServiceAccount.name=prometheus-k8s', '--set', 'metrics.readerServiceAccount.namespace=monitoring',
  );
  const deployment = find(rendered, 'Deployment', 'aws-service-apiserver');
  const container = deployment.spec.template.spec.containers[0];
  expect([deployment.spec.replicas, container.image, container.resources.limits.memory]).toEqual([3, 'registry.example/asa:1.2.3', '1Gi']);
  expect(container.args).toEqual(expect.arrayContaining(['--resync-period=60', '--leader-elect=false']));
  expect(find(rendered, 'ConfigMap', 'aws-service-apiserver-settings').data).toEqual({ CLUSTER_NAME: 'prod-eu', AWS_REGION: 'eu-west-1' });
  expect(find(rendered, 'ServiceAccount', 'aws-service-apiserver').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::444455556666:role/x' });
  expect(find(rendered, 'ClusterRole', 'aws-service-apiserver-metrics-reader').rules).toEqual([{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
  expect(find(rendered, 'ClusterRoleBinding', 'aws-service-apiserver-metrics-reader').subjects).toEqual([{ kind: 'ServiceAccount', name: 'prometheus-k8s', namespace: 'monitoring' }]);
  expect(find(rendered, 'ServiceMonitor', 'aws-service-apiserver').spec.endpoints[0]).toMatchObject({ port: 'https', scheme: 'https' });
});

test('bad values are refused with a message', () => {
  const refused = (...args: string[]) => {
    try {
      execFileSync(helm, ['template', 'x', CHART, ...args], { encoding: 'utf8', stdio: 'pipe' });
      return '';
    } catch (error) {
      return String((error as { stderr?: string }).stderr);
    }
  };
  expect(refused('--set', 'certificates.mode=nope')).toContain('certificates.mode must be generated, certManager or secret');
  expect(refused('--set', 'certificates.mode=secret')).toContain('needs certificates.caBundle');
  expect(refused('--set', 'clusterName=')).toContain('clusterName is required');
});

test('every rendered object is valid against the Kubernetes API schemas', async () => {
  for (const manifest of chart) await expect(validateAgainstKubernetes(manifest)).resolves.toBeUndefined();
});
