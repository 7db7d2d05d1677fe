// The server's Kubernetes clients against the kube-apiserver double, over real TLS: TokenReview,
// SubjectAccessReview with its decision cache, the authentication ConfigMap watched for rotation,
// namespace lifecycle, outputs ConfigMaps retried after a failure, and Lease leader election.
import type { RequestInfo } from '../../src/api/request-info.js';
import { SubjectAccessReviewAuthorizer } from '../../src/auth/subject-access-review.js';
import { AuthenticationConfigWatcher } from '../../src/kube/authentication-configmap.js';
import { connectToCluster, type ClusterConnection } from '../../src/kube/connection.js';
import { EventRecorder } from '../../src/kube/events.js';
import { LeaderElector } from '../../src/kube/leader-election.js';
import { LEADER_LABEL, LeaderPodLabel } from '../../src/kube/leader-label.js';
import { NamespaceLifecycle } from '../../src/kube/namespace-lifecycle.js';
import { OutputsConfigMaps } from '../../src/kube/outputs-configmap.js';
import { KubeAccessReviewer, KubeTokenReviewer } from '../../src/kube/reviews.js';
import { createLogger } from '../../src/log.js';
import { createCertificateAuthority } from '../../src/tls/certificates.js';
import { AUTHENTICATION_CONFIGMAP_PATH, authenticationConfigMap } from '../support/cluster.js';
import { KubeDouble } from '../support/kube-double.js';
import type { KubeObject } from '../../src/api/types.js';
import { StatusError } from '../../src/api/errors.js';

const log = createLogger('silent');
let double: KubeDouble;
let cluster: ClusterConnection;

async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  double = await new KubeDouble({
    rules: [{ user: 'alice', verbs: ['get', 'list'], resources: ['dynamodbs'], namespace: 'team-a' }],
    tokens: { 'alice-token': { username: 'alice', uid: 'u-1', groups: ['team-a-devs'] } },
  }).start();
  cluster = connectToCluster(double.writeKubeconfig()) as ClusterConnection;
});

afterAll(async () => {
  await double?.stop();
});

test('the connection comes from the kubeconfig, namespace from its context', () => {
  expect(cluster.server).toBe(double.url);
  expect(cluster.namespace).toBe('aws-service-apiserver');
});

test('TokenReview: a known token is its user, an unknown one is nobody', async () => {
  const reviewer = new KubeTokenReviewer(cluster, log);
  expect(await reviewer.review('alice-token')).toEqual({ name: 'alice', uid: 'u-1', groups: ['team-a-devs'], extra: {} });
  expect(await reviewer.review('nonsense')).toBeUndefined();
});

describe('SubjectAccessReview authorizer', () => {
  const info = (namespace: string): RequestInfo => ({
    isResourceRequest: true,
    path: `/apis/service-operator.aws/v1alpha1/namespaces/${namespace}/dynamodbs`,
    verb: 'list',
    apiGroup: 'service-operator.aws',
    apiVersion: 'v1alpha1',
    namespace,
    resource: 'dynamodbs',
    subresource: '',
    name: '',
  });
  const alice = { name: 'alice', groups: ['team-a-devs', 'system:authenticated'], extra: {} };

  test('decisions follow the rules and are cached for their TTL, allowed and denied separately', async () => {
    let now = 1_000_000;
    const authorizer = new SubjectAccessReviewAuthorizer(new KubeAccessReviewer(cluster), { allowedMs: 10_000, deniedMs: 2_000 }, log, () => now);
    const reviews = () => double.accessReviews.length;
    const start = reviews();
    expect(await authorizer.authorize(alice, info('team-a'))).toMatchObject({ allowed: true });
    expect(await authorizer.authorize(alice, info('team-b'))).toMatchObject({ allowed: false });
    expect(reviews() - start).toBe(2);
    now += 5_000; // denial expired, approval not
    expect(await authorizer.authorize(alice, info('team-a'))).toMatchObject({ allowed: true });
    expect(await authorizer.authorize(alice, info('team-b'))).toMatchObject({ allowed: false });
    expect(reviews() - start).toBe(3);
    now += 6_000;
    await authorizer.authorize(alice, info('team-a'));
    expect(reviews() - start).toBe(4);
  });

  test('system:masters and health paths need no review', async () => {
    const authorizer = new SubjectAccessReviewAuthorizer(new KubeAccessReviewer(cluster), { allowedMs: 1, deniedMs: 1 }, log);
    const start = double.accessReviews.length;
    expect(await authorizer.authorize({ name: 'x', groups: ['system:masters'], extra: {} }, info('team-b'))).toEqual({ allowed: true });
    const health: RequestInfo = { ...info(''), isResourceRequest: false, path: '/readyz', verb: 'get' };
    expect(await authorizer.authorize({ name: 'nobody', groups: [], extra: {} }, health)).toEqual({ allowed: true });
    expect(double.accessReviews.length).toBe(start);
  });
});

test('the authentication ConfigMap is loaded, then followed when kube-apiserver rotates it', async () => {
  const first = createCertificateAuthority('front-proxy-1');
  const clientCA = createCertificateAuthority('client');
  double.put(AUTHENTICATION_CONFIGMAP_PATH, authenticationConfigMap(first, clientCA));
  const watcher = new AuthenticationConfigWatcher(cluster, log);
  watcher.start();
  try {
    await watcher.loaded;
    expect(watcher.current()?.requestHeader?.allowedNames).toEqual(['front-proxy-client']);
    expect(watcher.current()?.requestHeader?.uidHeaders).toEqual([]);
    expect(watcher.current()?.requestHeader?.roots[0].subject).toBe('CN=front-proxy-1');

    const second = createCertificateAuthority('front-proxy-2');
    double.put(AUTHENTICATION_CONFIGMAP_PATH, authenticationConfigMap(second, clientCA, ['aggregator']));
    await eventually(() => watcher.current()?.requestHeader?.roots[0].subject === 'CN=front-proxy-2');
    expect(watcher.current()?.requestHeader?.allowedNames).toEqual(['aggregator']);

    // A broken update keeps the last good configuration.
    double.put(AUTHENTICATION_CONFIGMAP_PATH, { ...authenticationConfigMap(second, clientCA), data: { 'requestheader-client-ca-file': 'not a certificate' } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(watcher.current()?.requestHeader?.allowedNames).toEqual(['aggregator']);
  } finally {
    watcher.stop();
  }
});

test('namespace lifecycle: missing → 404, terminating → 403 NamespaceTerminating, active → admitted', async () => {
  double.namespace('active');
  double.namespace('leaving', 'Terminating');
  const lifecycle = new NamespaceLifecycle(cluster);
  await expect(lifecycle.admitCreate('dynamodbs', 'active', 'x')).resolves.toBeUndefined();
  const missing = await lifecycle.admitCreate('dynamodbs', 'nowhere', 'x').catch((e: StatusError) => e);
  expect(missing).toMatchObject({ code: 404, message: 'namespaces "nowhere" not found' });
  const leaving = await lifecycle.admitCreate('dynamodbs', 'leaving', 'x').catch((e: StatusError) => e);
  expect((leaving as StatusError).toStatus()).toMatchObject({ code: 403, reason: 'Forbidden', details: { causes: [{ reason: 'NamespaceTerminating' }] } });
  double.failing.add('/api/v1/namespaces/active');
  try {
    await expect(lifecycle.admitCreate('dynamodbs', 'active', 'x')).rejects.toMatchObject({ code: 500 });
  } finally {
    double.failing.clear();
  }
});

test('an outputs ConfigMap that could not be written is retried until it is', async () => {
  const object: KubeObject = {
    apiVersion: 'service-operator.aws/v1alpha1',
    kind: 'DynamoDB',
    metadata: { name: 'later', namespace: 'team-a', uid: 'uid-later' },
    output: { tableName: 't', tableARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/t', region: 'us-east-1' },
  };
  const path = '/api/v1/namespaces/team-a/configmaps/later';
  const outputs = new OutputsConfigMaps(cluster, new EventRecorder(cluster, log), log, { retryIntervalMs: 50, currentObject: () => object });
  double.failing.add(path);
  try {
    expect((await outputs.publish(object))[0]).toContain('could not be written');
    expect(double.get(path)).toBeUndefined();
    double.failing.clear();
    await eventually(() => double.get(path) !== undefined);
    expect(double.get(path)?.data).toEqual(object.output);
  } finally {
    outputs.stop();
  }
});

describe('leader election', () => {
  const elector = (name: string, identity: string, events: string[]) =>
    new LeaderElector(
      cluster,
      { namespace: 'aws-service-apiserver', name, identity, leaseDurationMs: 600, renewDeadlineMs: 400, retryPeriodMs: 100 },
      { onStartedLeading: () => events.push(`${identity} leads`), onStoppedLeading: () => events.push(`${identity} stops`) },
      log,
    );

  test('one leader at a time; a leader that stops hands over at once', async () => {
    const events: string[] = [];
    const a = elector('handover', 'a', events);
    const b = elector('handover', 'b', events);
    a.start();
    await eventually(() => a.isLeader());
    b.start();
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    expect(double.get('/apis/coordination.k8s.io/v1/namespaces/aws-service-apiserver/leases/handover')?.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 1 });
    await a.stop();
    await eventually(() => b.isLeader(), 1000);
    await b.stop();
    expect(events).toEqual(['a leads', 'a stops', 'b leads', 'b stops']);
  });

  test('a round in flight when the leader stops cannot make it lead again; the Lease is handed over', async () => {
    const events: string[] = [];
    const path = '/apis/coordination.k8s.io/v1/namespaces/aws-service-apiserver/leases/inflight';
    const a = elector('inflight', 'a', events);
    a.start();
    await eventually(() => a.isLeader());
    const round = double.holdNext(path);
    await round.reached;
    const next = double.holdNext(path);
    const stopping = a.stop();
    // A stop that does not wait for the round in flight releases the Lease now, and the round then
    // takes it again; one that waits sends nothing until the round is done.
    const releasedFirst = await Promise.race([next.reached.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000))]);
    if (releasedFirst) {
      next.release();
      await stopping;
    }
    round.release();
    next.release();
    await stopping;
    const b = elector('inflight', 'b', events);
    b.start();
    try {
      await eventually(() => b.isLeader(), 3000);
      expect([a.isLeader(), b.isLeader()]).toEqual([false, true]);
    } finally {
      await b.stop();
      await a.stop();
    }
    expect(events).toEqual(['a leads', 'a stops', 'b leads', 'b stops']);
  });

  test('a leader cut off from kube-apiserver steps down; another takes over once the lease has expired', async () => {
    const events: string[] = [];
    const a = elector('partition', 'a', events);
    const b = elector('partition', 'b', events);
    a.start();
    await eventually(() => a.isLeader());
    b.start();
    // Every replica shares the double here, so "cut off" is every Lease call failing for a while.
    double.failing.add('/apis/coordination.k8s.io/v1/namespaces/aws-service-apiserver/leases/partition');
    await eventually(() => !a.isLeader(), 2000);
    expect(b.isLeader()).toBe(false);
    double.failing.clear();
    await eventually(() => a.isLeader() !== b.isLeader(), 3000);
    await a.stop();
    await b.stop();
    expect(events[0]).toBe('a leads');
    expect(events[1]).toBe('a stops');
  });
});

test('the leader labels its pod (and unlabels the others) so the Service routes to it alone', async () => {
  const podPath = (name: string) => `/api/v1/namespaces/aws-service-apiserver/pods/${name}`;
  for (const name of ['pod-a', 'pod-b']) double.put(podPath(name), { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'aws-service-apiserver', labels: { app: 'x' } } });
  // pod-b was the leader before and never got to take its label off.
  double.put(podPath('pod-b'), { ...double.get(podPath('pod-b'))!, metadata: { name: 'pod-b', namespace: 'aws-service-apiserver', labels: { app: 'x', [LEADER_LABEL]: 'true' } } });
  let leading = true;
  const label = new LeaderPodLabel(cluster, { name: 'pod-a', namespace: 'aws-service-apiserver' }, () => leading, log);
  const labels = () => ['pod-a', 'pod-b'].map((name) => (double.get(podPath(name))?.metadata.labels as Record<string, string>)[LEADER_LABEL]);
  label.start(50);
  try {
    await eventually(() => labels()[0] === 'true' && labels()[1] === undefined);
    leading = false;
    await label.reconcile();
    expect(labels()).toEqual([undefined, undefined]);
    // A failed patch heals on the periodic re-check.
    double.failing.add(podPath('pod-a'));
    leading = true;
    await label.reconcile();
    expect(labels()[0]).toBeUndefined();
    double.failing.clear();
    await eventually(() => labels()[0] === 'true');
  } finally {
    await label.stop();
  }
  expect(labels()[0]).toBeUndefined();
});
