// The server's own connection to the cluster's kube-apiserver: in a pod its service account
// (in-cluster config), elsewhere a kubeconfig file (--kubeconfig). Without either the server runs in
// local mode and makes no Kubernetes calls at all.
import { existsSync, readFileSync } from 'node:fs';
import {
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  createConfiguration,
  KubeConfig,
  ServerConfiguration,
  Watch,
  type Middleware,
  type RequestContext,
} from '@kubernetes/client-node';

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Like k8s.io/apiserver's delegating authn/authz clients: a webhook call that hangs is a failure. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface ClusterConnection {
  /** kube-apiserver's URL, for logs. */
  server: string;
  /** The namespace the server runs in: where its Lease and its own Events go. */
  namespace: string;
  core: CoreV1Api;
  authentication: AuthenticationV1Api;
  authorization: AuthorizationV1Api;
  coordination: CoordinationV1Api;
  watch: Watch;
}

function timeoutMiddleware(ms: number): Middleware {
  return {
    pre: async (context: RequestContext) => {
      context.setSignal(AbortSignal.timeout(ms));
      return context;
    },
    post: async (context) => context,
  };
}

/** In a pod: kube-apiserver's service variables and a mounted service account token. */
export function runningInPod(): boolean {
  return Boolean(process.env.KUBERNETES_SERVICE_HOST) && existsSync(`${SERVICE_ACCOUNT_DIR}/token`);
}

function loadConfig(kubeconfig: string | undefined): { config: KubeConfig; namespace: string } | undefined {
  const config = new KubeConfig();
  if (kubeconfig) {
    config.loadFromFile(kubeconfig);
    return { config, namespace: config.getContextObject(config.getCurrentContext())?.namespace ?? 'default' };
  }
  if (!runningInPod()) return undefined;
  // Reads the service account token from its file on every request, so rotated tokens are picked up.
  config.loadFromCluster();
  return { config, namespace: readFileSync(`${SERVICE_ACCOUNT_DIR}/namespace`, 'utf8').trim() };
}

/**
 * The cluster connection: from `kubeconfig` when given, else in a pod its service account; undefined
 * when there is no cluster to talk to (local mode).
 */
export function connectToCluster(kubeconfig?: string): ClusterConnection | undefined {
  const loaded = loadConfig(kubeconfig);
  if (!loaded) return undefined;
  const { config, namespace } = loaded;
  const server = config.getCurrentCluster()?.server;
  if (!server) throw new Error(`the kubeconfig ${kubeconfig ?? '(in-cluster)'} names no cluster server`);
  const api = createConfiguration({
    baseServer: new ServerConfiguration(server, {}),
    authMethods: { default: config },
    promiseMiddleware: [timeoutMiddleware(REQUEST_TIMEOUT_MS)],
  });
  return {
    server,
    namespace,
    core: new CoreV1Api(api),
    authentication: new AuthenticationV1Api(api),
    authorization: new AuthorizationV1Api(api),
    coordination: new CoordinationV1Api(api),
    watch: new Watch(config),
  };
}
