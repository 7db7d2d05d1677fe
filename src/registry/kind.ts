// What a kind module declares. The generic REST layer (discovery, OpenAPI, verbs, Table, watch) is built
// from these declarations alone; a kind never sees HTTP or Kubernetes metadata handling.
import type { FieldError } from '../api/errors.js';
import type { Schema } from '../api/schema.js';
import type { KubeObject } from '../api/types.js';
import type { AwsClients } from '../aws/clients.js';
import type { NamingRules } from '../aws/naming.js';

export interface KindNames {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
}

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  description: string;
  /** Simple JSON path into the object, e.g. `.status.tableStatus`. */
  jsonPath: string;
  /** 0: always shown; 1: only with `-o wide`. */
  priority: 0 | 1;
}

/** Where an AWS resource is in its life, in AWS's words and in ours. */
export interface Lifecycle {
  /** AWS's own state word, e.g. `CREATING`, `ACTIVE`. */
  state: string;
  phase: 'Creating' | 'Updating' | 'Ready' | 'Deleting' | 'Failed';
  message?: string;
}

/** One AWS resource as read from AWS, already rendered into the kind's spec and status. */
export interface Observed {
  /** How the kind addresses the resource in AWS calls (table name, queue URL, ARN...). */
  ref: string;
  arn: string;
  /** All AWS tags of the resource, ours and the user's. */
  tags: Record<string, string>;
  lifecycle: Lifecycle;
  /** The spec as AWS has it, canonical (see KindDefinition.canonicalSpec), without tags. */
  spec: Record<string, unknown>;
  /** Kind-specific status fields (arn, names, endpoints). Conditions are added by the registry. */
  status: Record<string, unknown>;
  /** Outputs for applications (the original operator's `output` field and ConfigMap keys). */
  outputs: Record<string, string>;
  /** When AWS says the resource was created (RFC 3339), if it says. */
  createdAt?: string;
}

export interface KindContext {
  aws: AwsClients;
  region: string;
  clusterName: string;
  /** The AWS account id (from STS), for ARNs and URLs. */
  accountId(): Promise<string>;
  /** Epoch ms by which a call that waits on AWS (e.g. for ACTIVE) must give up. */
  deadline: number;
}

/** The identity of the Kubernetes object a physical resource is created for. */
export interface ObjectIdentity {
  clusterName: string;
  namespace: string;
  name: string;
}

export interface TagChange {
  set: Record<string, string>;
  remove: string[];
}

/** One resource as the kind's enumeration lists it. */
export interface Listed {
  ref: string;
  tags: Record<string, string>;
}

export interface DeleteOutcome {
  /** `deleted`: gone now. `deleting`: AWS removes it asynchronously (watchers see DELETED later). */
  state: 'deleted' | 'deleting';
}

/**
 * An AWS resource besides the object's own that a spec has the server create or wire in. The store
 * checks each before anything is written (docs/security.md): a `part` (made and deleted with the
 * object, like a queue's own dead-letter queue) must not exist yet or be this object's part already;
 * a `target` (referred to: written into the resource, or given a policy statement for it) must belong
 * to the object's namespace or not be managed by this server at all.
 */
export interface LinkedResource {
  use: 'part' | 'target';
  /** The spec field that makes the link, for messages (`spec.logging.targetBucket`). */
  field: string;
  /** The kind of resource it is (for messages) and its name or ARN. */
  kind: string;
  name: string;
  /** A part's role, as its part tag says it (`dead-letter-queue`). */
  role?: string;
  /** Its tags now; undefined when it does not exist or this account cannot see it. */
  tags(ctx: KindContext): Promise<Record<string, string> | undefined>;
}

/** How a spec may name the physical resource itself (the default derives it from the object's identity). */
export interface ExplicitNaming {
  /** The spec field holding the name. */
  field: string;
  /** The rules default names follow: explicit names may not take a shape of theirs (aws/naming.ts). */
  rules: Omit<NamingRules, 'maxLength'>;
  /** Suffixes default names may end in (`.fifo`). */
  suffixes?: string[];
}

export interface KindAws {
  /** The physical name a new object gets: the spec's explicit name, or a collision-free default. */
  physicalName(spec: Record<string, unknown>, identity: ObjectIdentity): string;
  /** Where the spec names the resource explicitly; absent when names are always derived. */
  explicitName?: ExplicitNaming;
  /** Every other AWS resource the spec has the server create or wire in (see LinkedResource). */
  linked?(spec: Record<string, unknown>, physicalName: string, identity: ObjectIdentity): LinkedResource[];
  /** Reads the resource (spec, status, tags); undefined when it does not exist. */
  find(ctx: KindContext, ref: string): Promise<Observed | undefined>;
  /**
   * Checks against AWS that a create must pass before anything is written (a subscription SNS already
   * has, say): run before the create records itself, in dry runs too. Refuses by throwing.
   */
  precheck?(ctx: KindContext, spec: Record<string, unknown>): Promise<void>;
  /** Creates the resource with its tags (in the same call where AWS allows it); returns its ref. */
  create(ctx: KindContext, name: string, spec: Record<string, unknown>, tags: Record<string, string>): Promise<string>;
  /** Brings the resource from `current` to `desired` with the fewest AWS calls; tags are separate. */
  update(ctx: KindContext, current: Observed, desired: Record<string, unknown>): Promise<void>;
  setTags(ctx: KindContext, current: Observed, change: TagChange): Promise<void>;
  delete(ctx: KindContext, current: Observed): Promise<DeleteOutcome>;
  /**
   * Removes a resource whose create never finished (nobody was told it exists), with everything made
   * for it, overriding what only a finished object could have asked for (deletion protection); it
   * still never destroys data (a bucket holding objects stays). Default: delete.
   */
  discard?(ctx: KindContext, current: Observed): Promise<void>;
  /**
   * Every resource of this kind tagged as belonging to `clusterName`: its ref, with its tags when the
   * listing call returns them (the Resource Groups Tagging API does). Tags let the resync skip reading
   * a resource whose tags did not change; a bare ref (a listing without tags) is read periodically.
   * A ref yielded without tags must be the one `find` returns, or every resync reads it again.
   */
  enumerate(ctx: KindContext, clusterName: string): AsyncIterable<string | Listed>;
}

/** Another object of the namespace being written to, read live from AWS; undefined when there is none. */
export type SiblingLookup = (plural: string, name: string) => Promise<KubeObject | undefined>;

export interface ReferenceContext {
  identity: ObjectIdentity;
  lookup: SiblingLookup;
  /** The spec AWS has now, on update; undefined on create. */
  current?: Record<string, unknown>;
}

export interface KindDefinition {
  names: KindNames;
  description: string;
  /** Schema of `spec` without `tags` (the registry adds the common `spec.tags`). */
  specSchema: Schema;
  /** Schema of the kind-specific `status` fields (the registry adds conditions and generations). */
  statusSchema: Schema;
  /** Schema of the kind's `output` root field (the original operator's outputs). */
  outputSchema: Schema;
  columns: PrinterColumn[];
  /** Spec fields (dotted paths) that cannot change after creation. */
  immutableFields: string[];
  /** Highest number of AWS tags the resource takes (50 for most services). */
  tagLimit: number;
  /**
   * Fills defaults into a spec. On update `current` is the spec AWS has, for settings whose unset value
   * means "keep what AWS chose" (a defaulted physical name, say).
   */
  defaults(spec: Record<string, unknown>, current?: Record<string, unknown>): Record<string, unknown>;
  /** The single form of a spec that render and desired specs share, so equal settings compare equal. */
  canonicalSpec(spec: Record<string, unknown>): Record<string, unknown>;
  /** Semantic checks beyond the schema (AWS naming rules, cross-field constraints). Paths start at `spec`. */
  validate(spec: Record<string, unknown>, identity: ObjectIdentity): FieldError[];
  /**
   * Only for kinds whose spec names other objects of the same namespace (a subscription's topic, say):
   * fills in the AWS identities those names stand for, after the spec passed validation and before it is
   * compared with AWS or written. Throws SpecInvalid naming the field when a named object does not exist.
   */
  resolveReferences?(ctx: KindContext, spec: Record<string, unknown>, references: ReferenceContext): Promise<Record<string, unknown>>;
  aws: KindAws;
}

/** Thrown by kind code: the request conflicts with the resource's state (a 409 naming the object). */
export class ResourceConflict extends Error {}

/** Thrown by kind code: the desired spec cannot be applied to this resource (a 422 with these causes). */
export class SpecInvalid extends Error {
  constructor(readonly causes: FieldError[]) {
    super(causes.map((c) => `${c.field}: ${c.detail}`).join('; '));
  }
}
