// Namespaces' annotations from the cluster, for the account each namespace is mapped to
// (aws/accounts/directory.ts). Whoever may edit a namespace may set them; the cluster's account map
// decides what they may choose (docs/security.md).
import type { NamespaceSource } from '../api/namespace-source.js';
import type { ClusterConnection } from './connection.js';
import { kubeStatusCode } from './errors.js';

export type { NamespaceSource };

export function clusterNamespaces(cluster: ClusterConnection): NamespaceSource {
  return {
    async annotations(namespace: string): Promise<Record<string, string> | undefined> {
      try {
        return (await cluster.core.readNamespace({ name: namespace })).metadata?.annotations ?? {};
      } catch (error) {
        if (kubeStatusCode(error) === 404) return undefined;
        throw error;
      }
    },
    async list(): Promise<Map<string, Record<string, string>>> {
      const list = await cluster.core.listNamespace();
      return new Map(list.items.map((namespace) => [namespace.metadata?.name ?? '', namespace.metadata?.annotations ?? {}]));
    },
  };
}
