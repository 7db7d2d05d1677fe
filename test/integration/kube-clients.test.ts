// The server's Kubernetes clients when kube-apiserver fails or changes under them, against the
// kube-apiserver double (over real TLS), because the real one cannot be made to fail or rotate its
// front-proxy CA on demand: the authentication ConfigMap followed through rotation and a broken
// update, a namespace lookup that fails, an outputs ConfigMap retried after a failed write, a leader
// cut off from the Lease API, a Lease round held in flight while the leader stops, a leader label
// patch that fails. The same clients without faults are tested against the real kube-apiserver in
// test/cluster/kube-clients.test.ts.
import { AuthenticationConfigWatcher } from '../../src/kube/authentication-configmap.js';
import { connectToCluster, type ClusterConnection } from '../../src/kube/connection.js';
import { EventRecorder } from '../../src/kube/events.js';
import { LeaderElector } from '../../src/kube/leader-election.js';
import { LEADER_LABEL, LeaderPodLabel } from '../../src/kube/leader-label.js';
import { NamespaceLifecycle } from '../../src/kube/namespace-lifecycle.js';
import { OutputsConfigMaps } from '../../src/kube/outputs-configmap.js';
import { createLogger } from '../../src/log.js';
import { createCertificateAuthority } from '../../src/tls/certificates.js';
import { AUTHENTICATION_CONFIGMAP_PATH, authenticationConfigMap } from '../support/cluster.js';
import { KubeDouble } from '../support/kube-double.js';
import type { KubeObject } from '../../src/api/types.js';

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
  double = await new KubeDouble({ rules: [], tokens: {} }).start();
  cluster = connectToCluster(double.writeKubeconfig()) as ClusterConnection;
});

afterAll(async () => {
  await double?.stop();
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

test('namespace lifecycle: a namespace lookup that fails is a 500, never an admission', async () => {
  double.namespace('active');
  const lifecycle = new NamespaceLifecycle(cluster);
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

test('a leader label patch that fails heals on the periodic re-check', async () => {
  const podPath = (name: string) => `/api/v1/namespaces/aws-service-apiserver/pods/${name}`;
  double.put(podPath('pod-a'), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod-a', namespace: 'aws-service-apiserver', labels: { app: 'x' } } });
  let leading = false;
  const label = new LeaderPodLabel(cluster, { name: 'pod-a', namespace: 'aws-service-apiserver' }, () => leading, log);
  const labels = () => [(double.get(podPath('pod-a'))?.metadata.labels as Record<string, string> | undefined)?.[LEADER_LABEL]];
  label.start(50);
  try {
    await label.reconcile();
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
