// Routing to the one replica that serves: the replica that holds the leader Lease labels its own pod
// `service-operator.aws/leader=true` (and takes the label off any other pod), and the Service selects
// on that label. Every replica stays Ready, so rolling updates proceed; kube-apiserver's aggregator
// only reaches the leader, the single resourceVersion authority. Level-triggered: the label is brought
// in line with leadership on every change and re-checked periodically, so a failed patch heals.
import type { Logger } from '../log.js';
import type { ClusterConnection } from './connection.js';
import { kubeErrorMessage, kubeStatusCode } from './errors.js';

export const LEADER_LABEL = 'service-operator.aws/leader';
/** The label key as a JSON pointer segment (`/` is written `~1`). */
const LEADER_LABEL_POINTER = `/metadata/labels/${LEADER_LABEL.replace(/\//g, '~1')}`;

export class LeaderPodLabel {
  /** Whether this pod carries the label as far as we know; undefined until first reconciled. */
  private labelled: boolean | undefined;
  /** Reconciliations run one after another, each looking at leadership when its turn comes. */
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cluster: ClusterConnection,
    /** This replica's pod (from the downward API). */
    private readonly pod: { name: string; namespace: string },
    private readonly isLeader: () => boolean,
    private readonly log: Logger,
  ) {}

  start(recheckMs: number): void {
    void this.reconcile();
    // The periodic re-check only queues when nothing is waiting, so a slow kube-apiserver cannot pile them up.
    this.timer = setInterval(() => this.queued === 0 && void this.reconcile(), recheckMs);
    this.timer.unref();
  }

  /** Takes the label off for good (after leadership was given up), once any change under way is done. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.queue;
    await this.unlabel(this.pod.name).catch((error: unknown) => this.warn(error, 'unlabel'));
  }

  /**
   * Brings the label in line with leadership (call it on every leadership change). A change already
   * under way finishes first; then leadership is looked at again, so the latest one always wins.
   */
  reconcile(): Promise<void> {
    this.queued++;
    this.queue = this.queue.then(async () => {
      this.queued--;
      await this.reconcileNow();
    });
    return this.queue;
  }

  private async reconcileNow(): Promise<void> {
    const leading = this.isLeader();
    if (leading === this.labelled) return;
    try {
      await (leading ? this.mark() : this.unlabel(this.pod.name));
      this.labelled = leading;
    } catch (error) {
      this.warn(error, leading ? 'label' : 'unlabel');
    }
  }

  private warn(error: unknown, action: string): void {
    this.log.warn({ error: kubeErrorMessage(error), pod: this.pod.name }, `could not ${action} this pod as the leader; retrying`);
  }

  /** Labels this pod and unlabels every other pod that still says it leads. */
  private async mark(): Promise<void> {
    const { name, namespace } = this.pod;
    await this.patch(name, [{ op: 'add', path: LEADER_LABEL_POINTER, value: 'true' }]);
    const labelled = await this.cluster.core.listNamespacedPod({ namespace, labelSelector: `${LEADER_LABEL}=true` });
    for (const other of labelled.items) {
      if (other.metadata?.name && other.metadata.name !== name) await this.unlabel(other.metadata.name);
    }
  }

  private async unlabel(pod: string): Promise<void> {
    try {
      await this.patch(pod, [{ op: 'remove', path: LEADER_LABEL_POINTER }]);
    } catch (error) {
      // Already gone (the pod, or just its label): nothing to take off.
      if (kubeStatusCode(error) !== 404 && kubeStatusCode(error) !== 422) throw error;
    }
  }

  private async patch(pod: string, operations: object[]): Promise<void> {
    await this.cluster.core.patchNamespacedPod({ namespace: this.pod.namespace, name: pod, body: operations });
  }
}
