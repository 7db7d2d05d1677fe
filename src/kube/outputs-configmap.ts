// The outputs ConfigMap the original operator's users wire their pods to (`configMapKeyRef`): named
// like the object, in its namespace, holding the object's `output` map, labelled as ours and owned by
// the object (ownerReference, controller) so the garbage collector deletes it with the object. Written
// after every create and update, with the server's own identity.
//
// A ConfigMap that cannot be written never undoes or hides the AWS write that already happened: the
// response carries a Warning, a Warning Event is recorded on the object, the error is logged, and the
// server retries in the background until it succeeds or the object is gone. A ConfigMap of that name
// that is not ours (another tool's, or another kind's object of the same name) is left untouched.
import type { V1ConfigMap, V1OwnerReference } from '@kubernetes/client-node';
import { deepEqual } from '../api/json.js';
import { GROUP_VERSION, type KubeObject } from '../api/types.js';
import type { Logger } from '../log.js';
import type { ClusterConnection } from './connection.js';
import { kubeErrorMessage, kubeStatusCode } from './errors.js';
import { COMPONENT, type EventRecorder } from './events.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const KIND_LABEL = 'service-operator.aws/kind';
export const FAILURE_REASON = 'OutputsConfigMapFailed';

/** The ConfigMap exists but belongs to someone else: overwriting it could break whoever wrote it. */
class NotOurs extends Error {}

export interface OutputsConfigMapOptions {
  /** The object as the server has it now (for retries); undefined once it is gone. */
  currentObject(kind: string, namespace: string, name: string): KubeObject | undefined;
  retryIntervalMs: number;
}

interface Pending {
  kind: string;
  namespace: string;
  name: string;
}

function ownerReference(object: KubeObject): V1OwnerReference {
  // No blockOwnerDeletion: setting it needs update rights on our objects' finalizers, and there is
  // nothing to protect (the ConfigMap only mirrors what AWS has).
  return { apiVersion: GROUP_VERSION, kind: object.kind, name: object.metadata.name as string, uid: object.metadata.uid as string, controller: true };
}

export function outputsConfigMap(object: KubeObject): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      labels: { [MANAGED_BY_LABEL]: COMPONENT, [KIND_LABEL]: object.kind },
      ownerReferences: [ownerReference(object)],
    },
    data: { ...((object.output ?? {}) as Record<string, string>) },
  };
}

/** The data of a ConfigMap of the cluster, read with the server's identity; undefined when there is none. */
export async function readConfigMapData(cluster: ClusterConnection, namespace: string, name: string): Promise<Record<string, string> | undefined> {
  try {
    return (await cluster.core.readNamespacedConfigMap({ namespace, name })).data ?? {};
  } catch (error) {
    if (kubeStatusCode(error) === 404) return undefined;
    throw error;
  }
}

function ownersOf(configMap: V1ConfigMap): string[] {
  return (configMap.metadata?.ownerReferences ?? []).map((r) => `${r.apiVersion}/${r.kind}/${r.name}/${r.uid}/${Boolean(r.controller)}`);
}

function upToDate(existing: V1ConfigMap, desired: V1ConfigMap): boolean {
  return deepEqual(existing.data ?? {}, desired.data ?? {}) && deepEqual(ownersOf(existing), ownersOf(desired));
}

function key(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

export class OutputsConfigMaps {
  private readonly pending = new Map<string, Pending>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly cluster: ClusterConnection,
    private readonly events: EventRecorder,
    private readonly log: Logger,
    private readonly options: OutputsConfigMapOptions,
  ) {
    this.timer = setInterval(() => void this.retryPending(), options.retryIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Writes the object's outputs ConfigMap; returns the warnings for the response (none on success). */
  async publish(object: KubeObject): Promise<string[]> {
    const { kind } = object;
    const { namespace, name } = object.metadata as { namespace: string; name: string };
    const failure = await this.attempt(object);
    if (!failure) {
      this.pending.delete(key(kind, namespace, name));
      return [];
    }
    this.log.error({ kind, namespace, name, error: failure.message }, 'outputs ConfigMap not written');
    await this.events.warning(object, FAILURE_REASON, failure.message);
    if (failure.retry) this.pending.set(key(kind, namespace, name), { kind, namespace, name });
    return [failure.retry ? `${failure.message}; the server keeps retrying` : failure.message];
  }

  private async attempt(object: KubeObject): Promise<{ message: string; retry: boolean } | undefined> {
    const desired = outputsConfigMap(object);
    try {
      await this.write(desired);
      return undefined;
    } catch (error) {
      if (error instanceof NotOurs) return { message: error.message, retry: false };
      return { message: `the outputs ConfigMap ${desired.metadata?.namespace}/${desired.metadata?.name} could not be written: ${kubeErrorMessage(error)}`, retry: true };
    }
  }

  private async read(namespace: string, name: string): Promise<V1ConfigMap | undefined> {
    try {
      return await this.cluster.core.readNamespacedConfigMap({ namespace, name });
    } catch (error) {
      if (kubeStatusCode(error) === 404) return undefined;
      throw error;
    }
  }

  /** Creates or replaces the ConfigMap; one more round when someone else wrote it in between (409). */
  private async write(desired: V1ConfigMap): Promise<void> {
    const { namespace, name } = desired.metadata as { namespace: string; name: string };
    for (let round = 0; ; round++) {
      const existing = await this.read(namespace, name);
      try {
        if (!existing) {
          await this.cluster.core.createNamespacedConfigMap({ namespace, body: desired });
          return;
        }
        this.checkOurs(existing, desired);
        if (upToDate(existing, desired)) return;
        const metadata = { ...existing.metadata, labels: { ...existing.metadata?.labels, ...desired.metadata?.labels }, ownerReferences: desired.metadata?.ownerReferences };
        await this.cluster.core.replaceNamespacedConfigMap({ namespace, name, body: { ...existing, metadata, data: desired.data } });
        return;
      } catch (error) {
        if (kubeStatusCode(error) !== 409 || round > 0) throw error;
      }
    }
  }

  private checkOurs(existing: V1ConfigMap, desired: V1ConfigMap): void {
    const labels = existing.metadata?.labels ?? {};
    const { namespace, name } = desired.metadata as { namespace: string; name: string };
    if (labels[MANAGED_BY_LABEL] !== COMPONENT) {
      throw new NotOurs(`ConfigMap ${namespace}/${name} already exists and is not managed by ${COMPONENT} (no ${MANAGED_BY_LABEL}=${COMPONENT} label); the outputs were not written to it`);
    }
    const kind = desired.metadata?.labels?.[KIND_LABEL];
    if (labels[KIND_LABEL] !== kind) {
      throw new NotOurs(`ConfigMap ${namespace}/${name} already holds the outputs of the ${labels[KIND_LABEL] ?? 'unknown'} "${name}"; the outputs of the ${kind} "${name}" were not written`);
    }
  }

  private async retryPending(): Promise<void> {
    for (const [pendingKey, { kind, namespace, name }] of [...this.pending]) {
      const object = this.options.currentObject(kind, namespace, name);
      if (!object) {
        this.pending.delete(pendingKey);
        continue;
      }
      const failure = await this.attempt(object);
      if (failure?.retry) continue;
      this.pending.delete(pendingKey);
      if (!failure) this.log.info({ kind, namespace, name }, 'outputs ConfigMap written on retry');
    }
  }
}
