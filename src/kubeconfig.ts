// A kubeconfig for talking to this server directly (no kube-apiserver in between).
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export interface DirectAccess {
  server: string;
  caPem: string;
  token: string;
  namespace?: string;
}

export function kubeconfigFor(access: DirectAccess): string {
  const name = 'aws-service-apiserver';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: access.server, 'certificate-authority-data': Buffer.from(access.caPem).toString('base64') } }],
    users: [{ name: 'local-admin', user: { token: access.token } }],
    contexts: [{ name, context: { cluster: name, user: 'local-admin', namespace: access.namespace ?? 'default' } }],
    'current-context': name,
  });
}

export function writeKubeconfig(path: string, access: DirectAccess): void {
  writeFileSync(path, kubeconfigFor(access), { mode: 0o600 });
}
