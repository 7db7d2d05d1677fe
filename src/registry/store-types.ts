// The store's vocabulary: options of the verbs, their results, and what a store is configured with.
import type { FieldSelector, Selector } from '../api/selectors.js';
import type { KubeObject } from '../api/types.js';
import type { Logger } from '../log.js';
import type { FieldValidation } from './admission.js';
import type { AdoptionClaims } from '../aws/adoption-claims.js';
import type { CreateJournal } from '../aws/create-journal.js';
import type { KindContext, KindDefinition, KindEvent } from './kind.js';
import type { ListVersionRequest } from './list-version.js';
import type { ResourceVersionClock } from './resource-version.js';
import type { KindStore } from './store.js';

export interface WriteOptions {
  dryRun: boolean;
  fieldValidation: FieldValidation;
  /** Who is writing, for managedFields (the fieldManager parameter, or the User-Agent's product). */
  fieldManager: string;
  /** Apply only: take ownership of conflicting fields. */
  force: boolean;
  /**
   * Checks that the caller may `adopt` objects of the kind in the namespace (registry/adoption.ts),
   * throwing a 403 Status when not; without it no adoption is allowed.
   */
  authorizeAdoption?: (namespace: string, name: string) => Promise<void>;
}

/** A new object on its way to AWS, as a create (or an apply that creates) prepared it. */
export interface Creation {
  namespace: string;
  name: string;
  /** As the field manager left it (its managedFields record what the request wrote). */
  object: KubeObject;
  options: WriteOptions;
  /** The response's warnings, which the create adds to. */
  warnings: string[];
}

export interface DeleteOptions {
  dryRun: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  /** Background when absent. */
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
}

export interface WriteResult {
  object: KubeObject;
  warnings: string[];
  /** An apply that created the object (answered 201). */
  created?: boolean;
}

export interface ListQuery {
  namespace?: string;
  labelSelector: Selector;
  fieldSelector: FieldSelector;
}

/** Which part of a list, at which resourceVersion (see list-version.ts). */
export interface PageRequest extends ListVersionRequest {
  /** 0 or absent: everything. */
  limit?: number;
  continue?: string;
}

export interface StoreHooks {
  /**
   * Admission for a new object, after it passed validation and before AWS is touched (dry runs
   * included), e.g. namespace lifecycle. Refuses by throwing a StatusError.
   */
  admitCreate?(kind: KindDefinition, namespace: string, name: string): Promise<void>;
  /**
   * Called after an object was created or changed in AWS (e.g. to publish its outputs ConfigMap).
   * Returns warnings for the response: the AWS write has happened and is not undone.
   */
  afterWrite?(kind: KindDefinition, object: KubeObject): Promise<string[]>;
  /** A write or a read reported something users should see on the object (e.g. as a Kubernetes Event): a quarantine, say. */
  recordEvent?(kind: KindDefinition, object: KubeObject, event: KindEvent): void;
  /** Root fields every rendering of an object carries besides spec/status/output (e.g. additionalResources). */
  extraRootFields?(object: KubeObject): Record<string, unknown>;
  /**
   * The cluster runs kube's garbage collector, which finishes Foreground and Orphan deletions: it
   * deletes (or orphans) the dependents (the outputs ConfigMap), then removes the finalizer.
   */
  garbageCollector?: boolean;
}

/** One AWS account and region the resync lists, and which namespaces' resources live there. */
export interface ResyncPartition {
  key: string;
  context: () => KindContext;
  holds(namespace: string): boolean;
  /**
   * The server's own account and region. When it cannot be listed the kind's resync fails, as with
   * one account: until a first listing the view would otherwise be served empty, and ready.
   */
  own?: boolean;
}

export interface StoreConfig {
  kind: KindDefinition;
  clusterName: string;
  clock: ResourceVersionClock;
  /**
   * A context for AWS calls about the namespace's resources (in the namespace's account and region:
   * aws/accounts/), with a fresh deadline for waits; without a namespace, the server's own account.
   */
  context: (namespace?: string) => KindContext;
  /** The accounts and regions the resync lists (default: the server's own, holding every namespace). */
  partitions?: () => ResyncPartition[];
  log: Logger;
  /** How many changes the event log keeps for resuming watches. */
  eventCapacity: number;
  /** Objects a full resync re-reads beyond those the listing shows changed (see resync-plan.ts). */
  resyncReadBudget: number;
  hooks?: StoreHooks;
  /** A ConfigMap's data, for kinds whose specs refer to ConfigMap keys of their namespace. */
  configMaps?: (namespace: string, name: string) => Promise<Record<string, string> | undefined>;
  /** The store of another kind (by plural), for kinds whose specs name objects of other kinds. */
  siblings?: (plural: string) => KindStore | undefined;
  /** Told after every write that changed an object of `namespace` in AWS (objects waiting there retry). */
  written?: (namespace: string) => void;
  /**
   * How long after a create starts its half-made resource counts as abandoned (registry/half-made.ts);
   * longer than any request may take, with room for clocks that differ between replicas.
   */
  abandonAfterMs?: number;
  /** Whether this replica may remove abandoned half-made resources now (the leader); default: yes. */
  mayCleanUp?: () => boolean;
  /** Where creates record themselves (registry/half-made.ts); without one, nothing half made is ever removed. */
  journal?: CreateJournal;
  /** Where adoptions claim the resources they take over (registry/adoption.ts); without it none is allowed. */
  adoptionClaims?: AdoptionClaims;
}
