// Namespace lifecycle admission, which kube-apiserver does not run for aggregated resources
// (apiserver pkg/admission/plugin/namespace/lifecycle): no creation in a namespace that does not exist
// or is being deleted. A live read per create: creates are rare next to the AWS call they lead to, and
// a just-created namespace must not be refused by a stale cache.
import { forbidden, internalError, StatusError } from '../api/errors.js';
import { GROUP } from '../api/types.js';
import type { ClusterConnection } from './connection.js';
import { kubeErrorMessage, kubeStatusCode } from './errors.js';

function namespaceNotFound(namespace: string): StatusError {
  return new StatusError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
}

function namespaceTerminating(plural: string, name: string, namespace: string): StatusError {
  return forbidden(`${plural}.${GROUP} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
    name,
    group: GROUP,
    kind: plural,
    causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
  });
}

export class NamespaceLifecycle {
  constructor(private readonly cluster: ClusterConnection) {}

  async admitCreate(plural: string, namespace: string, name: string): Promise<void> {
    let phase: string | undefined;
    try {
      phase = (await this.cluster.core.readNamespace({ name: namespace })).status?.phase;
    } catch (error) {
      if (kubeStatusCode(error) === 404) throw namespaceNotFound(namespace);
      throw internalError(`could not check namespace ${namespace}: ${kubeErrorMessage(error)}`);
    }
    if (phase === 'Terminating') throw namespaceTerminating(plural, name, namespace);
  }
}
