// A server in cluster mode against the kube-apiserver double, for the tests of faults the real
// kube-apiserver cannot produce on demand (test/e2e/kube-faults.test.ts); everything else runs on the
// real control plane (real-cluster.ts). Moto for AWS, and the certificates kube-apiserver would hold:
// a front-proxy CA and client certificate, and a client CA with users' certificates. Requests go over
// real HTTPS with real client certificates. Also the request helpers both kinds of tests share.
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../../src/tls/certificates.js';
import { startEnvironment, type TestEnvironment } from './environment.js';
import { https, type HttpsResponse } from './https.js';
import { KubeDouble, type AccessRule, type DoubleUser } from './kube-double.js';

export const AUTHENTICATION_CONFIGMAP_PATH = '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication';
export const FRONT_PROXY_NAME = 'front-proxy-client';

/** Who kube-apiserver's aggregator says is calling (the X-Remote-* headers). */
export interface ProxiedUser {
  user: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string | string[]>;
  /** The TLS client certificate (default: none). */
  cert?: KeyPair;
}

export interface ClusterEnvironment {
  env: TestEnvironment;
  double: KubeDouble;
  /** The kubeconfig the server uses to reach the double (its service-account identity). */
  kubeconfig: string;
  frontProxyCA: KeyPair;
  clientCA: KeyPair;
  /** The aggregator's client certificate: from the front-proxy CA, CN front-proxy-client. */
  frontProxy: KeyPair;
  /** A user's certificate from the cluster's client CA (CN = user, O = groups). */
  userCertificate(user: string, groups?: string[]): KeyPair;
  /** A request as kube-apiserver's aggregator forwards it: front-proxy certificate plus X-Remote-* headers. */
  proxied(as: ProxiedUser, path: string, options?: RequestOptions): Promise<HttpsResponse>;
  /** A request straight to the server, with whatever credentials `options` carry. */
  direct(path: string, options?: RequestOptions): Promise<HttpsResponse>;
  stop(): Promise<void>;
}

export function identityHeaders(as: ProxiedUser): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = { 'X-Remote-User': as.user };
  if (as.groups?.length) headers['X-Remote-Group'] = as.groups;
  for (const [key, values] of Object.entries(as.extra ?? {})) headers[`X-Remote-Extra-${encodeURIComponent(key)}`] = values;
  return headers;
}

/** Where the server under test is and how to trust it (a server name when its certificate is not for the URL's host). */
export interface ServerEndpoint {
  url: string;
  ca: string;
  servername?: string;
}

/** Requests straight to the server, with whatever credentials each request carries. */
export function serverRequests(endpoint: () => ServerEndpoint): (path: string, request?: RequestOptions) => Promise<HttpsResponse> {
  return (path, request = {}) => {
    const { url, ca, servername } = endpoint();
    return https(`${url}${path}`, {
      method: request.method ?? 'GET',
      ca,
      ...(servername ? { servername } : {}),
      headers: { ...(request.body !== undefined ? { 'Content-Type': request.contentType ?? 'application/json' } : {}), ...request.headers },
      ...(request.body !== undefined ? { body: typeof request.body === 'string' ? request.body : JSON.stringify(request.body) } : {}),
      ...(request.cert ? { cert: request.cert.certPem, key: request.cert.keyPem } : {}),
    });
  };
}

/** Requests as kube-apiserver's aggregator forwards them: its front-proxy certificate plus X-Remote-* headers. */
export function proxiedBy(direct: (path: string, request?: RequestOptions) => Promise<HttpsResponse>, frontProxy: KeyPair) {
  return (as: ProxiedUser, path: string, request: RequestOptions = {}) => direct(path, { ...request, cert: frontProxy, headers: { ...identityHeaders(as), ...request.headers } });
}

export function authenticationConfigMap(frontProxyCA: KeyPair, clientCA: KeyPair, allowedNames: string[] = [FRONT_PROXY_NAME]) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'extension-apiserver-authentication', namespace: 'kube-system' },
    data: {
      'client-ca-file': clientCA.certPem,
      'requestheader-client-ca-file': frontProxyCA.certPem,
      'requestheader-allowed-names': JSON.stringify(allowedNames),
      'requestheader-username-headers': '["X-Remote-User"]',
      'requestheader-group-headers': '["X-Remote-Group"]',
      'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
      'requestheader-uid-headers': 'null',
    },
  };
}

export interface ClusterEnvironmentOptions {
  clusterName: string;
  rules: AccessRule[];
  tokens?: Record<string, DoubleUser>;
  namespaces: string[];
  extraArgs?: string[];
  env?: Record<string, string>;
  /** Objects the cluster must hold before the server starts. */
  beforeStart?(double: KubeDouble): void;
}

export async function startClusterEnvironment(options: ClusterEnvironmentOptions): Promise<ClusterEnvironment> {
  const frontProxyCA = createCertificateAuthority('front-proxy-ca');
  const clientCA = createCertificateAuthority('kubernetes client CA');
  const frontProxy = issueCertificate(frontProxyCA, { commonName: FRONT_PROXY_NAME, usage: 'client' });
  const double = await new KubeDouble({ rules: options.rules, tokens: options.tokens ?? {} }).start();
  double.put(AUTHENTICATION_CONFIGMAP_PATH, authenticationConfigMap(frontProxyCA, clientCA));
  for (const namespace of ['kube-system', 'aws-service-apiserver', ...options.namespaces]) double.namespace(namespace);
  options.beforeStart?.(double);
  const kubeconfig = double.writeKubeconfig();
  let env: TestEnvironment;
  try {
    env = await startEnvironment({ clusterName: options.clusterName, extraArgs: ['--kubeconfig', kubeconfig, ...(options.extraArgs ?? [])], ...(options.env ? { env: options.env } : {}) });
  } catch (error) {
    await double.stop();
    throw error;
  }
  const direct = serverRequests(() => ({ url: env.server.url, ca: env.server.ca }));
  return {
    env,
    double,
    kubeconfig,
    frontProxyCA,
    clientCA,
    frontProxy,
    userCertificate: (user, groups = []) => issueCertificate(clientCA, { commonName: user, organizations: groups, usage: 'client' }),
    proxied: proxiedBy(direct, frontProxy),
    direct,
    async stop() {
      await env.stop();
      await double.stop();
    },
  };
}
