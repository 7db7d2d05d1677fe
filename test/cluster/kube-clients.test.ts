// The server's Kubernetes clients against the real kube-apiserver, with the server's own identity
// (deploy/'s ServiceAccount and RBAC): TokenReview, SubjectAccessReview with its decision cache, the
// authentication ConfigMap kube-apiserver publishes, namespace lifecycle, Lease leader election (a
// leader stopped with a round in flight included) and the leader's Pod label. What needs kube-apiserver to fail on demand stays on the double
// (test/integration/kube-clients.test.ts).
import { stringify } from 'yaml';
import type { RequestInfo } from '../../src/api/request-info.js';
import { StatusError } from '../../src/api/errors.js';
import { SubjectAccessReviewAuthorizer } from '../../src/auth/subject-access-review.js';
import { AuthenticationConfigWatcher } from '../../src/kube/authentication-configmap.js';
import { connectToCluster, type ClusterConnection } from '../../src/kube/connection.js';
import { LeaderElector } from '../../src/kube/leader-election.js';
import { LEADER_LABEL, LeaderPodLabel } from '../../src/kube/leader-label.js';
import { NamespaceLifecycle } from '../../src/kube/namespace-lifecycle.js';
import { KubeAccessReviewer, KubeTokenReviewer } from '../../src/kube/reviews.js';
import { createLogger } from '../../src/log.js';
import { SERVER_NAMESPACE } from '../controlplane/aggregated-server.js';
import { eventually } from '../support/eventually.js';
import { startTestCluster, type TestCluster } from '../support/real-cluster.js';

const log = createLogger('silent');
let t: TestCluster;
let cluster: ClusterConnection;

/** A Pod the restricted PodSecurity of the server's namespace admits; nothing runs it. */
const pod = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: SERVER_NAMESPACE, labels: { app: 'x', ...labels } },
  spec: {
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'c', image: 'example', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
  },
});

beforeAll(async () => {
  t = await startTestCluster({ clusterName: 'clients', tokens: { 'alice-token': { username: 'alice', uid: 'u-1', groups: ['team-a-devs'] } } });
  const rbac = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'read-tables', namespace: 'team-a' }, rules: [{ apiGroups: ['service-operator.aws'], resources: ['dynamodbs'], verbs: ['get', 'list'] }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'alice-reads', namespace: 'team-a' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-tables' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }] },
  ];
  await t.kubectl(null).ok(['apply', '-f', '-'], { input: rbac.map((o) => stringify(o)).join('---\n') });
  cluster = connectToCluster(t.cluster.serverKubeconfig) as ClusterConnection;
});

afterAll(async () => {
  await t?.stop();
});

test('the connection comes from the kubeconfig, namespace from its context', () => {
  expect(cluster.server).toBe(t.cluster.cp.url);
  expect(cluster.namespace).toBe(SERVER_NAMESPACE);
});

test('TokenReview: a known token is its user, an unknown one is nobody', async () => {
  const reviewer = new KubeTokenReviewer(cluster, log);
  expect(await reviewer.review('alice-token')).toEqual({ name: 'alice', uid: 'u-1', groups: ['team-a-devs', 'system:authenticated'], extra: {} });
  expect(await reviewer.review('nonsense')).toBeUndefined();
  const serviceAccountToken = (await t.kubectl(SERVER_NAMESPACE).ok(['create', 'token', 'default'])).trim();
  expect(await reviewer.review(serviceAccountToken)).toMatchObject({ name: `system:serviceaccount:${SERVER_NAMESPACE}:default`, groups: expect.arrayContaining(['system:serviceaccounts']) });
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

  test('decisions follow RBAC and are cached for their TTL, allowed and denied separately', async () => {
    let now = 1_000_000;
    const authorizer = new SubjectAccessReviewAuthorizer(new KubeAccessReviewer(cluster), { allowedMs: 10_000, deniedMs: 2_000 }, log, () => now);
    const reviews = () => t.accessReviews('alice').length;
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
    expect(await authorizer.authorize({ name: 'x', groups: ['system:masters'], extra: {} }, info('team-b'))).toEqual({ allowed: true });
    const health: RequestInfo = { ...info(''), isResourceRequest: false, path: '/readyz', verb: 'get' };
    expect(await authorizer.authorize({ name: 'nobody', groups: [], extra: {} }, health)).toEqual({ allowed: true });
    expect([...t.accessReviews('x'), ...t.accessReviews('nobody')]).toEqual([]);
  });
});

test('the authentication ConfigMap kube-apiserver publishes is loaded: its front-proxy CA, allowed names and headers', async () => {
  const watcher = new AuthenticationConfigWatcher(cluster, log);
  watcher.start();
  try {
    await watcher.loaded;
    const trust = watcher.current();
    expect(trust?.requestHeader?.allowedNames).toEqual(['front-proxy-client']);
    expect(trust?.requestHeader?.usernameHeaders).toEqual(['X-Remote-User']);
    expect(trust?.requestHeader?.roots[0].subject).toBe('CN=front-proxy-ca');
    expect(trust?.clientCA?.[0].subject).toBe('CN=kubernetes');
  } finally {
    watcher.stop();
  }
});

test('namespace lifecycle: missing → 404, terminating → 403 NamespaceTerminating, active → admitted', async () => {
  const held = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: 'leaving', finalizers: ['example.com/hold'] } };
  await t.kubectl(null).ok(['apply', '-f', '-'], { input: `${stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'leaving' } })}---\n${stringify(held)}` });
  await t.kubectl(null).ok(['delete', 'namespace', 'leaving', '--wait=false']);
  const lifecycle = new NamespaceLifecycle(cluster);
  await expect(lifecycle.admitCreate('dynamodbs', 'team-a', 'x')).resolves.toBeUndefined();
  const missing = await lifecycle.admitCreate('dynamodbs', 'nowhere', 'x').catch((e: StatusError) => e);
  expect(missing).toMatchObject({ code: 404, message: 'namespaces "nowhere" not found' });
  const leaving = await lifecycle.admitCreate('dynamodbs', 'leaving', 'x').catch((e: StatusError) => e);
  expect((leaving as StatusError).toStatus()).toMatchObject({ code: 403, reason: 'Forbidden', details: { causes: [{ reason: 'NamespaceTerminating' }] } });
});

test('leader election over the real Lease API: one leader at a time; a leader that stops hands over at once', async () => {
  const events: string[] = [];
  const elector = (identity: string) =>
    new LeaderElector(cluster, { namespace: SERVER_NAMESPACE, name: 'handover', identity, leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 200 }, { onStartedLeading: () => events.push(`${identity} leads`), onStoppedLeading: () => events.push(`${identity} stops`) }, log);
  const [a, b] = [elector('a'), elector('b')];
  a.start();
  await eventually('a to lead', () => a.isLeader());
  b.start();
  await eventually('b to have looked at the Lease', () => b.hasDecided());
  expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
  const lease = await t.get<{ spec: { holderIdentity: string; leaseDurationSeconds: number } }>(`/apis/coordination.k8s.io/v1/namespaces/${SERVER_NAMESPACE}/leases/handover`);
  expect(lease?.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 3 });
  await a.stop();
  // Well within the lease duration: a released Lease is taken at once.
  await eventually('b to lead', () => b.isLeader(), { timeoutMs: 2500 });
  await b.stop();
  expect(events).toEqual(['a leads', 'a stops', 'b leads', 'b stops']);
});

/**
 * The connection with its next Lease read held back until released: a round of leader election in
 * flight, as a slow kube-apiserver or network makes one. The Lease API behind it is the real one.
 */
function withHeldLeaseRead(connection: ClusterConnection): { connection: ClusterConnection; holdNextRead(): { reached: Promise<void>; release(): void } } {
  let held: { reach(): void; gate: Promise<void> } | undefined;
  const coordination = new Proxy(connection.coordination, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== 'readNamespacedLease' || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const hold = held;
        held = undefined;
        if (hold) {
          hold.reach();
          await hold.gate;
        }
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  return {
    connection: { ...connection, coordination },
    holdNextRead() {
      let reach = () => undefined as void;
      let release = () => undefined as void;
      const reached = new Promise<void>((resolve) => (reach = resolve));
      const gate = new Promise<void>((resolve) => (release = resolve));
      held = { reach, gate };
      return { reached, release };
    },
  };
}

test('a leader stopped while a round is in flight never leads again: never two leaders, the other takes over at once', async () => {
  const events: string[] = [];
  const config = (identity: string, retryPeriodMs: number) => ({ namespace: SERVER_NAMESPACE, name: 'inflight', identity, leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs });
  const listener = (identity: string) => ({ onStartedLeading: () => events.push(`${identity} leads`), onStoppedLeading: () => events.push(`${identity} stops`) });
  const held = withHeldLeaseRead(cluster);
  const a = new LeaderElector(held.connection, config('a', 200), listener('a'), log);
  // b looks less often than a rounds, so a round of a let through after a stop that did not wait for
  // it takes the released Lease before b can: the split brain the wait prevents.
  const b = new LeaderElector(cluster, config('b', 1000), listener('b'), log);
  a.start();
  await eventually('a to lead', () => a.isLeader());
  b.start();
  await eventually('b to have looked at the Lease', () => b.hasDecided());

  const seen = { both: 0, aAfterStop: 0 };
  let stopped = false;
  const sampler = setInterval(() => {
    if (a.isLeader() && b.isLeader()) seen.both++;
    if (stopped && a.isLeader()) seen.aAfterStop++;
  }, 20);
  try {
    const round = held.holdNextRead();
    await round.reached;
    const stopping = a.stop();
    // A stop that waits holds on; one that does not has released the Lease by now.
    await Promise.race([stopping, new Promise((resolve) => setTimeout(resolve, 500))]);
    round.release();
    await stopping;
    stopped = true;
    await eventually('b to lead', () => b.isLeader(), { timeoutMs: 2500 });
    // Past a whole lease duration: a round that had made a lead again would be found out by now.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(seen).toEqual({ both: 0, aAfterStop: 0 });
    const lease = await t.get<{ spec: { holderIdentity: string } }>(`/apis/coordination.k8s.io/v1/namespaces/${SERVER_NAMESPACE}/leases/inflight`);
    expect(lease?.spec.holderIdentity).toBe('b');
  } finally {
    clearInterval(sampler);
    await b.stop();
    await a.stop();
  }
  expect(events).toEqual(['a leads', 'a stops', 'b leads', 'b stops']);
});

test('the leader labels its Pod (and unlabels the others) so the Service routes to it alone', async () => {
  // pod-b led before and never got to take its label off.
  await t.kubectl(null).ok(['apply', '-f', '-'], { input: [pod('pod-a'), pod('pod-b', { [LEADER_LABEL]: 'true' })].map((p) => JSON.stringify(p)).join('\n') });
  const labels = async () => {
    const pods = await Promise.all(['pod-a', 'pod-b'].map((name) => t.get<{ metadata: { labels: Record<string, string> } }>(`/api/v1/namespaces/${SERVER_NAMESPACE}/pods/${name}`)));
    return pods.map((p) => p?.metadata.labels[LEADER_LABEL]);
  };
  let leading = true;
  const label = new LeaderPodLabel(cluster, { name: 'pod-a', namespace: SERVER_NAMESPACE }, () => leading, log);
  label.start(100);
  try {
    await eventually('pod-a alone to carry the label', async () => JSON.stringify(await labels()) === JSON.stringify(['true', undefined]));
    leading = false;
    await label.reconcile();
    expect(await labels()).toEqual([undefined, undefined]);
  } finally {
    await label.stop();
  }
  expect((await labels())[0]).toBeUndefined();
});
