// The certificates and keys a kube-apiserver needs, as kubeadm lays them out: a cluster CA that signs
// kube-apiserver's serving certificate and every client certificate (admin, controller manager,
// users), a separate front-proxy CA and the aggregator's client certificate (CN front-proxy-client),
// and the service-account signing key pair. Written once per control plane into its folder.
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../../src/tls/certificates.js';

export const FRONT_PROXY_CLIENT = 'front-proxy-client';
/** The first address of the service range: the `kubernetes` Service's cluster IP. */
export const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/16';
const KUBERNETES_SERVICE_IP = '10.96.0.1';

export interface ClusterPki {
  dir: string;
  ca: KeyPair;
  frontProxyCA: KeyPair;
  files: {
    ca: string;
    apiserverCert: string;
    apiserverKey: string;
    frontProxyCA: string;
    frontProxyClientCert: string;
    frontProxyClientKey: string;
    serviceAccountKey: string;
    serviceAccountPublicKey: string;
  };
  /** A client certificate from the cluster CA: CN is the user, O the groups. */
  clientCertificate(user: string, groups?: string[]): KeyPair;
}

function write(dir: string, name: string, content: string, secret = false): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: secret ? 0o600 : 0o644 });
  return path;
}

export function createClusterPki(dir: string): ClusterPki {
  const ca = createCertificateAuthority('kubernetes');
  const frontProxyCA = createCertificateAuthority('front-proxy-ca');
  const apiserver = issueCertificate(ca, {
    commonName: 'kube-apiserver',
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
    ipAddresses: ['127.0.0.1', KUBERNETES_SERVICE_IP],
    usage: 'server',
  });
  const frontProxyClient = issueCertificate(frontProxyCA, { commonName: FRONT_PROXY_CLIENT, usage: 'client' });
  const serviceAccount = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    dir,
    ca,
    frontProxyCA,
    files: {
      ca: write(dir, 'ca.crt', ca.certPem),
      apiserverCert: write(dir, 'apiserver.crt', apiserver.certPem),
      apiserverKey: write(dir, 'apiserver.key', apiserver.keyPem, true),
      frontProxyCA: write(dir, 'front-proxy-ca.crt', frontProxyCA.certPem),
      frontProxyClientCert: write(dir, 'front-proxy-client.crt', frontProxyClient.certPem),
      frontProxyClientKey: write(dir, 'front-proxy-client.key', frontProxyClient.keyPem, true),
      serviceAccountKey: write(dir, 'sa.key', serviceAccount.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), true),
      serviceAccountPublicKey: write(dir, 'sa.pub', serviceAccount.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    },
    clientCertificate: (user, groups = []) => issueCertificate(ca, { commonName: user, organizations: groups, usage: 'client' }),
  };
}

export type KubeconfigUser = { certificate: KeyPair } | { token: string };

export interface KubeconfigOptions {
  /** The default namespace (default: default). */
  namespace?: string;
  /** The name the server's certificate is for, when it is not the URL's host. */
  tlsServerName?: string;
}

/** A kubeconfig for `server` (trusting `caPem`) as `user`. */
export function kubeconfigYaml(server: string, caPem: string, name: string, user: KubeconfigUser, options: KubeconfigOptions = {}): string {
  const base64 = (text: string) => Buffer.from(text).toString('base64');
  const credentials = 'token' in user ? { token: user.token } : { 'client-certificate-data': base64(user.certificate.certPem), 'client-key-data': base64(user.certificate.keyPem) };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local-cluster', cluster: { server, 'certificate-authority-data': base64(caPem), ...(options.tlsServerName ? { 'tls-server-name': options.tlsServerName } : {}) } }],
    users: [{ name, user: credentials }],
    contexts: [{ name, context: { cluster: 'local-cluster', user: name, namespace: options.namespace ?? 'default' } }],
    'current-context': name,
  });
}

export function writeKubeconfigFile(path: string, server: string, caPem: string, name: string, user: KubeconfigUser, options?: KubeconfigOptions): string {
  writeFileSync(path, kubeconfigYaml(server, caPem, name, user, options), { mode: 0o600 });
  return path;
}
