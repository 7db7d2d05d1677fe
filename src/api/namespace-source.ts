// Where namespaces' annotations come from: the cluster (kube/namespace-annotations.ts); absent in local
// mode. The namespace's AWS account is chosen from them (aws/accounts/directory.ts).
export interface NamespaceSource {
  /** A namespace's annotations; undefined when it does not exist. */
  annotations(namespace: string): Promise<Record<string, string> | undefined>;
  /** Every namespace with its annotations. */
  list(): Promise<Map<string, Record<string, string>>>;
}
