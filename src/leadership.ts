// Who serves when several replicas run (BRIEF §5: one resourceVersion authority): Lease-based leader
// election, the catch-up a new leader does before serving, and the pod label that routes the Service
// to the serving replica.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { LeaderElectionFlags } from './config.js';
import type { ClusterConnection } from './kube/connection.js';
import { LeaderElector } from './kube/leader-election.js';
import { LeaderPodLabel } from './kube/leader-label.js';
import type { Logger } from './log.js';
import type { ResourceVersionClock } from './registry/resource-version.js';
import type { KindStore } from './registry/store.js';

export interface Leadership {
  /** Why this replica must not serve resources now (not the leader, or still taking over), or undefined. */
  whyNotServing(): string | undefined;
  /**
   * Why this replica is not ready: it does not know yet whether it leads (no look at the Lease yet),
   * or it leads and is still catching up with AWS. A follower is ready.
   */
  whyNotReady(): string | undefined;
  stop(): Promise<void>;
}

/**
 * Leader election (when enabled) and the pod label that routes the Service to the serving replica.
 * A new leader first runs `takeOver` (catching up with AWS) and only then serves and takes the label.
 * Without leader election this replica is the only authority by configuration.
 */
export function startLeadership(cluster: ClusterConnection, flags: LeaderElectionFlags, lease: { namespace: string; name: string }, takeOver: () => Promise<void>, log: Logger): Leadership {
  // The downward API tells a pod its own name; outside a pod there is no Service to route.
  const pod = process.env.POD_NAME ? { name: process.env.POD_NAME, namespace: process.env.POD_NAMESPACE ?? cluster.namespace } : undefined;
  let elector: LeaderElector | undefined;
  let caughtUp = !flags.enabled;
  const catchingUp = 'this replica has just become the leader and is re-reading AWS';
  const whyNotServing = () => {
    if (elector && !elector.isLeader()) return `this replica is not the leader (Lease ${lease.namespace}/${lease.name}); another replica serves`;
    return caughtUp ? undefined : catchingUp;
  };
  const whyNotReady = () => {
    if (elector && !elector.hasDecided()) return `the leader Lease ${lease.namespace}/${lease.name} has not been read yet`;
    return whyNotServing() === catchingUp ? catchingUp : undefined;
  };
  const label = pod ? new LeaderPodLabel(cluster, pod, () => !whyNotServing(), log) : undefined;
  if (flags.enabled) {
    const identity = `${pod?.name ?? hostname()}_${randomUUID().slice(0, 8)}`;
    const timing = { leaseDurationMs: flags.leaseDurationMs, renewDeadlineMs: flags.renewDeadlineMs, retryPeriodMs: flags.retryPeriodMs };
    const listener = {
      onStartedLeading: () => {
        caughtUp = false;
        void takeOver().then(() => {
          caughtUp = true;
          void label?.reconcile();
        });
      },
      onStoppedLeading: () => void label?.reconcile(),
    };
    elector = new LeaderElector(cluster, { ...lease, identity, ...timing }, listener, log);
    elector.start();
  }
  label?.start(flags.retryPeriodMs);
  return {
    whyNotServing,
    whyNotReady,
    async stop() {
      await elector?.stop();
      await label?.stop();
    },
  };
}

/**
 * What a new leader does before it serves: from now on it is the resourceVersion authority, so
 * versions from before (possibly another leader's) get 410 on watch and clients relist; and its view,
 * kept by its own resync while it followed, may miss the last writes of the old leader, so it reads
 * AWS again. If that read fails, it serves anyway and the periodic resync catches up.
 */
export async function takeOver(stores: KindStore[], clock: ResourceVersionClock, log: Logger): Promise<void> {
  const floor = clock.next();
  for (const store of stores) store.view.log.expireThrough(floor);
  try {
    await Promise.all(stores.map((store) => store.resync()));
    log.info('took over as the leader: AWS re-read, serving');
  } catch (error) {
    log.warn({ err: error }, 'took over as the leader but could not re-read AWS; serving, the periodic resync will catch up');
  }
}
