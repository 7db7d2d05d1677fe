// The install manifests, checked offline: `kubectl kustomize` builds deploy/ and deploy/cert-manager,
// the pieces that must agree do (Service port name and APIService port, Secret name and certs
// script, service account and RBAC subjects, RBAC resources and the kinds served), and every object
// is valid against Kubernetes' own API schemas (kubernetes-models). `kubectl apply --dry-run=client`
// needs a cluster to download its OpenAPI from, so it stays a documented cluster step as well.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { parse, parseAllDocuments } from 'yaml';
import { generateClusterCertificates, SERVING_SECRET } from '../../certs/cluster-certificates.js';
import { KIND_TABLE } from '../../src/kinds/index.js';
import { find, kustomize, validateAgainstKubernetes, type Loose, type Manifest } from '../support/install-manifests.js';

const NAMESPACE = 'aws-service-apiserver';
const plurals = (writers?: 'edit' | 'admin') => KIND_TABLE.filter((row) => !writers || row.writers === writers).map((row) => row.kind.names.plural);
const WRITE_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

const deploy = kustomize('deploy');
const apiServiceTemplate = parse(readFileSync('apiservice/apiservice.yaml', 'utf8'));

describe('deploy/', () => {
  const deployment = find(deploy, 'Deployment', 'aws-service-apiserver');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const service = find(deploy, 'Service', 'aws-service-apiserver');

  test('every object has a namespace where it needs one, and only the auth reader binding is outside ours', () => {
    const namespaced = deploy.filter((m) => !['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(m.kind));
    expect(namespaced.filter((m) => m.metadata.namespace !== NAMESPACE).map((m) => `${m.kind}/${m.metadata.name}@${m.metadata.namespace}`)).toEqual([
      'RoleBinding/aws-service-apiserver-auth-reader@kube-system',
    ]);
  });

  test('the APIService reaches the pod: Service port 443 named https → container port https; the leader alone is selected', () => {
    expect(apiServiceTemplate.spec.service).toEqual({ name: service.metadata.name, namespace: NAMESPACE, port: 443 });
    expect(service.spec.ports).toEqual([{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }]);
    expect(container.ports).toEqual([{ name: 'https', containerPort: 8443, protocol: 'TCP' }]);
    const { 'service-operator.aws/leader': leader, ...rest } = service.spec.selector;
    expect(leader).toBe('true');
    expect(deployment.spec.template.metadata.labels).toMatchObject(rest);
  });

  test('the container: probes, non-root, read-only root filesystem, resources, flags, certificate from the Secret', () => {
    expect(container.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'https', scheme: 'HTTPS' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'https', scheme: 'HTTPS' });
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
    expect(container.args).toEqual(expect.arrayContaining(['--bind-address=0.0.0.0', '--port=8443', '--cluster-name=$(CLUSTER_NAME)']));
    const mount = container.volumeMounts.find((m: Loose) => m.name === 'serving-cert');
    expect(container.args).toEqual(expect.arrayContaining([`--tls-cert-file=${mount.mountPath}/tls.crt`, `--tls-private-key-file=${mount.mountPath}/tls.key`]));
    expect(pod.volumes.find((v: Loose) => v.name === 'serving-cert').secret.secretName).toBe(SERVING_SECRET);
    expect(container.env.find((e: Loose) => e.name === 'POD_NAME').valueFrom.fieldRef.fieldPath).toBe('metadata.name');
    const settings = container.env.find((e: Loose) => e.name === 'CLUSTER_NAME').valueFrom.configMapKeyRef.name;
    expect(find(deploy, 'ConfigMap', settings).data.CLUSTER_NAME).toBeDefined();
  });

  test('the server account: IRSA annotation, auth-delegator, the authentication ConfigMap reader, its own permissions', () => {
    const account = { kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: NAMESPACE };
    expect(find(deploy, 'ServiceAccount', pod.serviceAccountName).metadata.annotations['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\//);
    const bindings = deploy.filter((m) => m.kind.endsWith('Binding')) as Loose[];
    const boundTo = (roleKind: string, role: string) => bindings.find((b) => b.roleRef.kind === roleKind && b.roleRef.name === role);
    expect(boundTo('ClusterRole', 'system:auth-delegator').subjects).toEqual([account]);
    const reader = boundTo('Role', 'extension-apiserver-authentication-reader');
    expect([reader.metadata.namespace, reader.subjects]).toEqual(['kube-system', [account]]);
    const own = find(deploy, 'ClusterRole', 'aws-service-apiserver').rules;
    expect(own).toEqual(
      expect.arrayContaining([
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'update'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create'] },
        { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list'] },
      ]),
    );
    expect(boundTo('ClusterRole', 'aws-service-apiserver').subjects).toEqual([account]);
    const leaderRole = find(deploy, 'Role', 'aws-service-apiserver-leader-election');
    expect(leaderRole.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'patch'] },
    ]);
    expect(boundTo('Role', leaderRole.metadata.name).subjects).toEqual([account]);
  });

  test('view/edit/admin aggregation: every kind of the table is readable by view, writable by the role the table says', () => {
    const view = find(deploy, 'ClusterRole', 'aws-service-apiserver-view');
    const edit = find(deploy, 'ClusterRole', 'aws-service-apiserver-edit');
    expect(view.metadata.labels['rbac.authorization.k8s.io/aggregate-to-view']).toBe('true');
    expect(edit.metadata.labels).toMatchObject({ 'rbac.authorization.k8s.io/aggregate-to-edit': 'true', 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' });
    expect(view.rules).toEqual([
      { apiGroups: ['service-operator.aws'], resources: plurals(), verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['service-operator.aws'], resources: plurals().map((p) => `${p}/status`), verbs: ['get'] },
    ]);
    expect(edit.rules).toEqual([{ apiGroups: ['service-operator.aws'], resources: plurals('edit'), verbs: WRITE_VERBS }]);
    const adminOnly = deploy.find((m) => m.kind === 'ClusterRole' && m.metadata.name === 'aws-service-apiserver-admin') as Loose;
    if (plurals('admin').length === 0) expect(adminOnly).toBeUndefined();
    else {
      expect(adminOnly.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'aws-service-apiserver', 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' });
      expect(adminOnly.rules).toEqual([{ apiGroups: ['service-operator.aws'], resources: plurals('admin'), verbs: WRITE_VERBS }]);
    }
  });

  test('deploy/cert-manager adds the issuers and a Certificate for the Secret the Deployment mounts', () => {
    const withCertManager = kustomize('deploy/cert-manager');
    const serving = find(withCertManager, 'Certificate', SERVING_SECRET);
    expect(serving.spec.secretName).toBe(SERVING_SECRET);
    expect(serving.spec.dnsNames).toContain(`aws-service-apiserver.${NAMESPACE}.svc`);
    expect(withCertManager.length).toBe(deploy.length + 4);
  });
});

describe('apiservice/ and npm run certs', () => {
  test('the APIService passes kube-aggregator validation rules', () => {
    const { metadata, spec } = apiServiceTemplate;
    expect(metadata.name).toBe(`${spec.version}.${spec.group}`);
    expect([spec.group, spec.version]).toEqual(['service-operator.aws', 'v1alpha1']);
    expect(spec.groupPriorityMinimum).toBeGreaterThan(0);
    expect(spec.groupPriorityMinimum).toBeLessThanOrEqual(20000);
    expect(spec.versionPriority).toBeGreaterThan(0);
    expect(spec.versionPriority).toBeLessThanOrEqual(1000);
    expect(spec.insecureSkipTLSVerify).toBe(false);
  });

  test('a CA, a serving certificate for the Service names, the Secret, and the APIService carrying the CA; the CA is reused', () => {
    const outDir = mkdtempSync(join(tmpdir(), 'certs-'));
    const options = { namespace: 'platform', service: 'aws-service-apiserver', clusterDomain: 'cluster.local', days: 30, outDir, apiServiceTemplate: 'apiservice/apiservice.yaml', certManager: false };
    generateClusterCertificates(options);
    const ca = new X509Certificate(readFileSync(join(outDir, 'ca.crt')));
    const serving = new X509Certificate(readFileSync(join(outDir, 'tls.crt')));
    expect(serving.verify(ca.publicKey)).toBe(true);
    expect(serving.subjectAltName).toBe('DNS:aws-service-apiserver, DNS:aws-service-apiserver.platform, DNS:aws-service-apiserver.platform.svc, DNS:aws-service-apiserver.platform.svc.cluster.local');
    const apiService = parse(readFileSync(join(outDir, 'apiservice.yaml'), 'utf8'));
    expect(apiService.spec.service).toEqual({ name: 'aws-service-apiserver', namespace: 'platform', port: 443 });
    expect(new X509Certificate(Buffer.from(apiService.spec.caBundle, 'base64')).fingerprint256).toBe(ca.fingerprint256);
    const secret = parse(readFileSync(join(outDir, 'serving-secret.yaml'), 'utf8'));
    expect(secret).toMatchObject({ type: 'kubernetes.io/tls', metadata: { name: SERVING_SECRET, namespace: 'platform' } });
    expect(Buffer.from(secret.data['tls.crt'], 'base64').toString()).toBe(readFileSync(join(outDir, 'tls.crt'), 'utf8'));

    generateClusterCertificates(options);
    expect(new X509Certificate(readFileSync(join(outDir, 'ca.crt'))).fingerprint256).toBe(ca.fingerprint256);
    expect(new X509Certificate(readFileSync(join(outDir, 'tls.crt'))).serialNumber).not.toBe(serving.serialNumber);
  });

  test('--cert-manager writes only the APIService, annotated for cainjector', () => {
    const outDir = mkdtempSync(join(tmpdir(), 'certs-'));
    const files = generateClusterCertificates({ namespace: NAMESPACE, service: 'aws-service-apiserver', clusterDomain: 'cluster.local', days: 30, outDir, apiServiceTemplate: 'apiservice/apiservice.yaml', certManager: true });
    expect(files).toEqual([join(outDir, 'apiservice.yaml')]);
    const apiService = parse(readFileSync(files[0], 'utf8'));
    expect(apiService.metadata.annotations).toEqual({ 'cert-manager.io/inject-ca-from': `${NAMESPACE}/${SERVING_SECRET}` });
    expect(apiService.spec.caBundle).toBeUndefined();
  });
});

test('examples/team-access.yaml binds a team to edit in its namespace only', () => {
  const manifests = parseAllDocuments(readFileSync('examples/team-access.yaml', 'utf8')).map((d) => d.toJSON());
  const binding = manifests.find((m) => m.metadata.name === 'team-a-devs-edit');
  expect(binding).toMatchObject({ kind: 'RoleBinding', metadata: { namespace: 'team-a' }, roleRef: { kind: 'ClusterRole', name: 'edit' } });
});

describe('every install manifest is valid against the Kubernetes API schemas', () => {
  const certManagerKinds = new Set(['Issuer', 'ClusterIssuer', 'Certificate']);
  const generated = mkdtempSync(join(tmpdir(), 'certs-'));
  generateClusterCertificates({ namespace: NAMESPACE, service: 'aws-service-apiserver', clusterDomain: 'cluster.local', days: 30, outDir: generated, apiServiceTemplate: 'apiservice/apiservice.yaml', certManager: false });
  const documents = (file: string) => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJSON() as Manifest);
  const manifests = [
    ...deploy,
    // cert-manager's own kinds are not Kubernetes API types; the rest of that variant is.
    ...kustomize('deploy/cert-manager').filter((m) => !certManagerKinds.has(m.kind)),
    ...documents(join(generated, 'apiservice.yaml')),
    ...documents(join(generated, 'serving-secret.yaml')),
    ...documents('examples/team-access.yaml'),
  ];

  test.each(manifests.map((m) => [`${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}`, m] as const))('%s', async (_name, manifest) => {
    await expect(validateAgainstKubernetes(manifest)).resolves.toBeUndefined();
  });

  test('a broken manifest is caught (the check can fail)', async () => {
    const broken = structuredClone(find(deploy, 'Deployment', 'aws-service-apiserver'));
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'https';
    await expect(validateAgainstKubernetes(broken)).rejects.toThrow(/containerPort must be integer/);
  });
});
