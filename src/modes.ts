// The two ways the server runs. Cluster mode (in a pod, or with --kubeconfig): authentication and
// authorization delegated to kube-apiserver, outputs ConfigMaps, namespace lifecycle admission and
// leader election. Local mode (no cluster): one static bearer token for local-admin, everything
// allowed, and no Kubernetes calls at all.
import { clusterNamespaces, type NamespaceSource } from './kube/namespace-annotations.js';
import { AlwaysAllowAuthorizer } from './auth/always-allow.js';
import { ClientCertificateAuthenticator } from './auth/client-certificate.js';
import { RequestHeaderAuthenticator } from './auth/request-header.js';
import { StaticTokenAuthenticator } from './auth/static-token.js';
import { SubjectAccessReviewAuthorizer } from './auth/subject-access-review.js';
import { TokenReviewAuthenticator } from './auth/token-review.js';
import type { Authenticator, Authorizer } from './auth/types.js';
import { UnionAuthenticator } from './auth/union.js';
import type { Config } from './config.js';
import { AuthenticationConfigWatcher } from './kube/authentication-configmap.js';
import type { ClusterConnection } from './kube/connection.js';
import { EventRecorder } from './kube/events.js';
import { NamespaceLifecycle } from './kube/namespace-lifecycle.js';
import { OutputsConfigMaps, readConfigMapData } from './kube/outputs-configmap.js';
import { KubeAccessReviewer, KubeTokenReviewer } from './kube/reviews.js';
import { startLeadership, takeOver, type Leadership } from './leadership.js';
import type { Logger } from './log.js';
import type { ResourceVersionClock } from './registry/resource-version.js';
import type { KindStore } from './registry/store.js';
import type { StoreHooks } from './registry/store-types.js';

const OUTPUTS_RETRY_MS = 30_000;

export interface ServingMode {
  name: 'local' | 'cluster';
  authenticator: Authenticator;
  authorizer: Authorizer;
  hooks: StoreHooks;
  /** Where namespaces' annotations (their AWS account and region) are read; none in local mode. */
  namespaces?: NamespaceSource;
  /** A ConfigMap's data (cluster mode reads the cluster's); without it, the outputs of the object of that name. */
  configMaps?(namespace: string, name: string): Promise<Record<string, string> | undefined>;
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

export function clusterMode(cluster: ClusterConnection, config: Config, log: Logger): ServingMode {
  log.info({ kubeApiserver: cluster.server, namespace: cluster.namespace }, 'cluster mode: delegated authentication and authorization, outputs ConfigMaps');
  let stores = new Map<string, KindStore>();
  const trust = new AuthenticationConfigWatcher(cluster, log);
  let trustLoaded = false;
  void trust.loaded.then(() => (trustLoaded = true));
  const namespaces = new NamespaceLifecycle(cluster);
  const events = new EventRecorder(cluster, log);
  const outputs = new OutputsConfigMaps(cluster, events, log, {
    retryIntervalMs: OUTPUTS_RETRY_MS,
    currentObject: (kind, namespace, name) => [...stores.values()].find((s) => s.kind.names.kind === kind)?.view.get(namespace, name)?.object,
  });
  const lease = { namespace: config.leaderElection.leaseNamespace ?? cluster.namespace, name: config.leaderElection.leaseName };
  let leadership: Leadership | undefined;

  return {
    name: 'cluster',
    authenticator: delegatedAuthentication(cluster, trust, config, log),
    authorizer: new SubjectAccessReviewAuthorizer(new KubeAccessReviewer(cluster), { allowedMs: config.authorizedCacheTtlMs, deniedMs: config.unauthorizedCacheTtlMs }, log),
    namespaces: clusterNamespaces(cluster),
    hooks: {
      admitCreate: (kind, namespace, name) => namespaces.admitCreate(kind.names.plural, namespace, name),
      afterWrite: (_kind, object) => outputs.publish(object),
      recordEvent: (_kind, object, event) => void events.record(object, event.type, event.reason, event.message),
      extraRootFields: (object) => ({ additionalResources: { configMaps: [object.metadata.name] } }),
      garbageCollector: true,
    },
    configMaps: (namespace, name) => readConfigMapData(cluster, namespace, name),
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
