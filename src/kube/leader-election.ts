// Leader election through a coordination.k8s.io Lease, the way client-go's leaderelection package
// does it: the holder renews the Lease every retry period; the others take it over only after they
// have seen it unchanged for a whole lease duration (measured on their own clock, so clock skew
// between pods does not matter); a leader that cannot renew within the renew deadline steps down
// before anyone else may take over. Exactly one replica is the resourceVersion authority at a time.
import { V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import type { ClusterConnection } from './connection.js';
import { kubeErrorMessage, kubeStatusCode } from './errors.js';

export interface LeaderElectionConfig {
  namespace: string;
  name: string;
  /** This replica's name in the Lease (the pod name). */
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface LeadershipListener {
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

export class LeaderElector {
  private leading = false;
  private observedOnce = false;
  private lastRenewal = 0;
  private observedRecord = '';
  private observedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /**
   * The round now talking to kube-apiserver, if any: stop() waits for it before giving the Lease up.
   * It resolves to true when it wrote this replica into the Lease after stop() was called.
   */
  private round: Promise<boolean> | undefined;

  constructor(
    private readonly cluster: ClusterConnection,
    private readonly config: LeaderElectionConfig,
    private readonly listener: LeadershipListener,
    private readonly log: Logger,
  ) {}

  isLeader(): boolean {
    return this.leading;
  }

  /** True once a round has read or written the Lease: this replica knows whether it leads. */
  hasDecided(): boolean {
    return this.observedOnce;
  }

  start(): void {
    this.tick();
  }

  /**
   * Stops competing; a leader releases the Lease so another replica takes over at once. A round in
   * flight is waited for first: its renewal could otherwise land after the release (and hold the
   * Lease for this replica again) or make this replica the leader after it stopped, with no later
   * round to demote it: two leaders.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const acquiredMeanwhile = await this.round;
    if (!this.leading && !acquiredMeanwhile) return;
    this.setLeading(false);
    await this.release().catch((error: unknown) => this.log.warn({ error: kubeErrorMessage(error) }, 'could not release the leader Lease'));
  }

  private tick(): void {
    this.round = this.runRound().finally(() => {
      this.round = undefined;
      if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.config.retryPeriodMs);
    });
  }

  private async runRound(): Promise<boolean> {
    let acquired = false;
    try {
      acquired = await this.tryAcquireOrRenew();
      this.observedOnce = true;
      // A replica told to stop while this round was in flight does not start leading now.
      if (acquired && !this.stopped) {
        this.lastRenewal = Date.now();
        this.setLeading(true);
      }
    } catch (error) {
      this.log.warn({ error: kubeErrorMessage(error), lease: this.config.name }, 'could not acquire or renew the leader Lease');
    }
    if (this.leading && Date.now() - this.lastRenewal > this.config.renewDeadlineMs) this.setLeading(false);
    return acquired && this.stopped;
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.log.info({ identity: this.config.identity, lease: `${this.config.namespace}/${this.config.name}` }, leading ? 'became the leader' : 'stopped being the leader');
    if (leading) this.listener.onStartedLeading();
    else this.listener.onStoppedLeading();
  }

  private async read(): Promise<V1Lease | undefined> {
    try {
      return await this.cluster.coordination.readNamespacedLease({ namespace: this.config.namespace, name: this.config.name });
    } catch (error) {
      if (kubeStatusCode(error) === 404) return undefined;
      throw error;
    }
  }

  /** True when this replica holds the Lease after the call. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.config;
    const now = new V1MicroTime();
    const leaseDurationSeconds = Math.ceil(this.config.leaseDurationMs / 1000);
    const lease = await this.read();
    if (!lease) {
      const spec = { holderIdentity: identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 };
      return this.succeeds(() => this.cluster.coordination.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec } }));
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const record = `${holder}|${String(spec.renewTime)}|${spec.leaseDurationSeconds}`;
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = Date.now();
    }
    const expired = this.observedAt + (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000 < Date.now();
    if (holder && holder !== identity && !expired) return false;
    const transition = holder !== identity;
    const renewed = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: transition ? now : spec.acquireTime,
      renewTime: now,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (transition ? 1 : 0),
    };
    return this.succeeds(() => this.cluster.coordination.replaceNamespacedLease({ namespace, name, body: { ...lease, spec: renewed } }));
  }

  /** A write that lost a race with another replica (409) is a lost round, not an error. */
  private async succeeds(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (kubeStatusCode(error) === 409) return false;
      throw error;
    }
  }

  private async release(): Promise<void> {
    const lease = await this.read();
    if (lease?.spec?.holderIdentity !== this.config.identity) return;
    const now = new V1MicroTime();
    const spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now };
    await this.cluster.coordination.replaceNamespacedLease({ namespace: this.config.namespace, name: this.config.name, body: { ...lease, spec } });
  }
}
