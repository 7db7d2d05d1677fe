// Kubernetes Events about our objects (`kubectl describe`, `kubectl get events`), written with the
// server's own identity. Best effort: an Event that cannot be written is logged and dropped.
import { hostname } from 'node:os';
import type { KubeObject } from '../api/types.js';
import type { Logger } from '../log.js';
import type { ClusterConnection } from './connection.js';
import { kubeErrorMessage } from './errors.js';

export const COMPONENT = 'aws-service-apiserver';

export class EventRecorder {
  private readonly instance = hostname();

  constructor(
    private readonly cluster: ClusterConnection,
    private readonly log: Logger,
  ) {}

  async warning(object: KubeObject, reason: string, message: string): Promise<void> {
    await this.record(object, 'Warning', reason, message);
  }

  async record(object: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const { name, namespace, uid } = object.metadata as { name: string; namespace: string; uid?: string };
    const now = new Date();
    try {
      await this.cluster.core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${name}.`, namespace },
          involvedObject: { apiVersion: object.apiVersion, kind: object.kind, name, namespace, ...(uid ? { uid } : {}) },
          type,
          reason,
          message,
          source: { component: COMPONENT },
          reportingComponent: COMPONENT,
          reportingInstance: this.instance,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    } catch (error) {
      this.log.warn({ error: kubeErrorMessage(error), namespace, name, reason }, 'could not record a Kubernetes Event');
    }
  }
}
