// Faults of kube-apiserver that the real one cannot be made to produce on demand, so these run
// against the kube-apiserver double (test/support/kube-double.ts), whose calls can be made to fail:
// a SubjectAccessReview that fails, and an outputs ConfigMap that cannot be written. Everything else
// the server asks of kube-apiserver is tested against the real one in test/cluster/.
import { tableNames } from '../support/aws.js';
import { startClusterEnvironment, type ClusterEnvironment } from '../support/cluster.js';

const ADMIN = { user: 'platform-admin', groups: ['system:masters'] };
const collection = (namespace: string) => `/apis/service-operator.aws/v1alpha1/namespaces/${namespace}/dynamodbs`;
const table = (name: string) => ({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', metadata: { name, namespace: 'apps' }, spec: { hashAttribute: { name: 'id', type: 'S' } } });

let cluster: ClusterEnvironment;

beforeAll(async () => {
  cluster = await startClusterEnvironment({ clusterName: 'faults', namespaces: ['apps'], rules: [] });
});

afterAll(async () => {
  await cluster?.stop();
});

test('a SubjectAccessReview that fails denies the request (403)', async () => {
  cluster.double.failing.add('/apis/authorization.k8s.io/v1/subjectaccessreviews');
  try {
    const response = await cluster.proxied({ user: 'erin' }, `${collection('apps')}/orders`);
    expect(response.status).toBe(403);
    expect(response.json<{ message: string }>().message).toContain('the authorization check could not be made');
  } finally {
    cluster.double.failing.clear();
  }
});

test('when the outputs ConfigMap cannot be written, the AWS write stands and the response says so', async () => {
  cluster.double.failing.add('/api/v1/namespaces/apps/configmaps/unlucky');
  try {
    const response = await cluster.proxied(ADMIN, collection('apps'), { method: 'POST', body: table('unlucky') });
    expect(response.status).toBe(201);
    expect(String(response.headers.warning)).toContain('the outputs ConfigMap apps/unlucky could not be written');
    expect(String(response.headers.warning)).toContain('the server keeps retrying');
    expect(await tableNames(cluster.env.aws)).toContain('faults.apps.unlucky');
  } finally {
    cluster.double.failing.clear();
  }
});
