// The two ways the server runs. Cluster mode (in a pod, or with --kubeconfig): authentication and
// authorization delegated to kube-apiserver, outputs ConfigMaps, namespace lifecycle admission and
// leader election. Local mode (no cluster): one static bearer token for local-admin, everything
// allowed, and no Kubernetes calls at all.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { AlwaysAllowAuthorizer } from './auth/always-allow.js';
import { ClientCertificateAuthenticator } from './auth/client-certificate.js';
import { RequestHeaderAuthenticator } from './auth/request-header.js';
import { StaticTokenAuthenticator } from './auth/static-token.js';
import { SubjectAccessReviewAuthorizer } from './auth/subject-access-review.js';
import { TokenReviewAuthenticator } from './auth/token-review.js';
import type { Authenticator, Authorizer } from './auth/types.js';
import { UnionAuthenticator } from './auth/union.js';
import type { Config, LeaderElectionFlags } from './config.js';
import { AuthenticationConfigWatcher } from './kube/authentication-configmap.js';
import type { ClusterConnection } from './kube/connection.js';
import { EventRecorder } from './kube/events.js';
import { LeaderElector } from './kube/leader-election.js';
import { LeaderPodLabel } from './kube/leader-label.js';
import { NamespaceLifecycle } from './kube/namespace-lifecycle.js';
import { OutputsConfigMaps } from './kube/outputs-configmap.js';
import { KubeAccessReviewer, KubeTokenReviewer } from './kube/reviews.js';
import type { Logger } from './log.js';
import type { ResourceVersionClock } from './registry/resource-version.js';
import type { KindStore, StoreHooks } from './registry/store.js';

const OUTPUTS_RETRY_MS = 30_000;

export interface ServingMode {
  name: 'local' | 'cluster';
  authenticator: Authenticator;
  authorizer: Authorizer;
  hooks: StoreHooks;
  /** Why this replica should not be ready now (besides the first read of AWS), or undefined. */
  notReady(): string | undefined;
  /** Why this replica must not serve resource requests now (it is not the leader), or undefined. */
  notServing(): string | undefined;
  start(stores: Map<string, KindStore>, clock: ResourceVersionClock): void;
  stop(): Promise<void>;
}

export function localMode(token: string, log: Logger): ServingMode {
  log.info('no cluster configured (not in a pod, no --kubeconfig): local mode; one bearer token for local-admin, every request allowed, no outputs ConfigMaps');
  return {
    name: 'local',
    authenticator: new StaticTokenAuthenticator(token),
    authorizer: new AlwaysAllowAuthorizer(),
    hooks: {},
    notReady: () => undefined,
    notServing: () => undefined,
    start: () => undefined,
    stop: async () => undefined,
  };
}

function delegatedAuthentication(cluster: ClusterConnection, trust: AuthenticationConfigWatcher, config: Config, log: Logger): Authenticator {
  return new UnionAuthenticator([
    new RequestHeaderAuthenticator(() => trust.current()?.requestHeader),
    new ClientCertificateAuthenticator(() => trust.current()?.clientCA),
    new TokenReviewAuthenticator(new KubeTokenReviewer(cluster, log), config.tokenCacheTtlMs),
  ]);
}

interface Leadership {
  /** Why this replica must not serve resources now (not the leader, or still taking over), or undefined. */
  whyNotServing(): string | undefined;
  /**
   * Why this replica is not ready: it does not know yet whether it leads (no look at the Lease yet),
   * or it leads and is still catching up with AWS. A follower is ready.
   */
  whyNotReady(): string | undefined;
  stop(): Promise<void>;
}

/**
 * Leader election (when enabled) and the pod label that routes the Service to the serving replica.
 * A new leader first runs `takeOver` (catching up with AWS) and only then serves and takes the label.
 * Without leader election this replica is the only authority by configuration.
 */
function startLeadership(cluster: ClusterConnection, flags: LeaderElectionFlags, lease: { namespace: string; name: string }, takeOver: () => Promise<void>, log: Logger): Leadership {
  // The downward API tells a pod its own name; outside a pod there is no Service to route.
  const pod = process.env.POD_NAME ? { name: process.env.POD_NAME, namespace: process.env.POD_NAMESPACE ?? cluster.namespace } : undefined;
  let elector: LeaderElector | undefined;
  let caughtUp = !flags.enabled;
  const catchingUp = 'this replica has just become the leader and is re-reading AWS';
  const whyNotServing = () => {
    if (elector && !elector.isLeader()) return `this replica is not the leader (Lease ${lease.namespace}/${lease.name}); another replica serves`;
    return caughtUp ? undefined : catchingUp;
  };
  const whyNotReady = () => {
    if (elector && !elector.hasDecided()) return `the leader Lease ${lease.namespace}/${lease.name} has not been read yet`;
    return whyNotServing() === catchingUp ? catchingUp : undefined;
  };
  const label = pod ? new LeaderPodLabel(cluster, pod, () => !whyNotServing(), log) : undefined;
  if (flags.enabled) {
    const identity = `${pod?.name ?? hostname()}_${randomUUID().slice(0, 8)}`;
    const timing = { leaseDurationMs: flags.leaseDurationMs, renewDeadlineMs: flags.renewDeadlineMs, retryPeriodMs: flags.retryPeriodMs };
    const listener = {
      onStartedLeading: () => {
        caughtUp = false;
        void takeOver().then(() => {
          caughtUp = true;
          void label?.reconcile();
        });
      },
      onStoppedLeading: () => void label?.reconcile(),
    };
    elector = new LeaderElector(cluster, { ...lease, identity, ...timing }, listener, log);
    elector.start();
  }
  label?.start(flags.retryPeriodMs);
  return {
    whyNotServing,
    whyNotReady,
    async stop() {
      await elector?.stop();
      await label?.stop();
    },
  };
}

/**
 * What a new leader does before it serves: from now on it is the resourceVersion authority, so
 * versions from before (possibly another leader's) get 410 on watch and clients relist; and its view,
 * kept by its own resync while it followed, may miss the last writes of the old leader, so it reads
 * AWS again. If that read fails, it serves anyway and the periodic resync catches up.
 */
async function takeOver(stores: KindStore[], clock: ResourceVersionClock, log: Logger): Promise<void> {
  const floor = clock.next();
  for (const store of stores) store.view.log.expireThrough(floor);
  try {
    await Promise.all(stores.map((store) => store.resync()));
    log.info('took over as the leader: AWS re-read, serving');
  } catch (error) {
    log.warn({ err: error }, 'took over as the leader but could not re-read AWS; serving, the periodic resync will catch up');
  }
}

export function clusterMode(cluster: ClusterConnection, config: Config, log: Logger): ServingMode {
  log.info({ kubeApiserver: cluster.server, namespace: cluster.namespace }, 'cluster mode: delegated authentication and authorization, outputs ConfigMaps');
  let stores = new Map<string, KindStore>();
  const trust = new AuthenticationConfigWatcher(cluster, log);
  let trustLoaded = false;
  void trust.loaded.then(() => (trustLoaded = true));
  const namespaces = new NamespaceLifecycle(cluster);
  const outputs = new OutputsConfigMaps(cluster, new EventRecorder(cluster, log), log, {
    retryIntervalMs: OUTPUTS_RETRY_MS,
    currentObject: (kind, namespace, name) => [...stores.values()].find((s) => s.kind.names.kind === kind)?.view.get(namespace, name)?.object,
  });
  const lease = { namespace: config.leaderElection.leaseNamespace ?? cluster.namespace, name: config.leaderElection.leaseName };
  let leadership: Leadership | undefined;

  return {
    name: 'cluster',
    authenticator: delegatedAuthentication(cluster, trust, config, log),
    authorizer: new SubjectAccessReviewAuthorizer(new KubeAccessReviewer(cluster), { allowedMs: config.authorizedCacheTtlMs, deniedMs: config.unauthorizedCacheTtlMs }, log),
    hooks: {
      admitCreate: (kind, namespace, name) => namespaces.admitCreate(kind.names.plural, namespace, name),
      afterWrite: (_kind, object) => outputs.publish(object),
      extraRootFields: (object) => ({ additionalResources: { configMaps: [object.metadata.name] } }),
    },
    // Followers are Ready too (rolling updates need that); the Service reaches only the serving
    // leader through the pod label (kube/leader-label.ts).
    notReady: () => (trustLoaded ? leadership?.whyNotReady() : 'the cluster authentication configuration has not been read yet'),
    notServing: () => leadership?.whyNotServing(),
    start(started, clock) {
      stores = started;
      trust.start();
      leadership = startLeadership(cluster, config.leaderElection, lease, () => takeOver([...stores.values()], clock, log), log);
    },
    async stop() {
      trust.stop();
      outputs.stop();
      await leadership?.stop();
    },
  };
}
