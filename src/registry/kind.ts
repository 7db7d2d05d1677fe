// The kind contract (v2): what a kind module declares. The generic REST layer (discovery, OpenAPI,
// verbs, Table, watch) and the store are built from these declarations alone; a kind never sees HTTP
// or Kubernetes metadata handling. Modelled on k8s.io/apiserver's per-kind strategies (canonicalize,
// validate, validate update, all before storage) and the ACK runtime's resource manager (read,
// create, update given the computed delta, delete).
//
// A kind is generic over its spec type S: the store turns the schema-valid JSON of a request into S
// once (canonicalSpec) and every other hook sees S, so kind code never casts its own spec.
import type { FieldError } from '../api/errors.js';
import type { KindNames, PrinterColumn } from '../api/resource.js';
import type { Schema } from '../api/schema.js';
import type { KubeObject } from '../api/types.js';
import type { AwsContext, ObjectIdentity } from '../aws/context.js';
import type { AwsErrorCodes } from '../aws/errors.js';
import type { TagChange } from '../aws/metadata-tags.js';
import type { NamingRules } from '../aws/naming.js';

export type { KindNames, ObjectIdentity, PrinterColumn, TagChange };
/** The AWS context a kind's calls are made with. */
export type KindContext = AwsContext;

/** Where an AWS resource is in its life, in AWS's words and in ours. */
export interface Lifecycle {
  /** AWS's own state word, e.g. `CREATING`, `ACTIVE`. */
  state: string;
  /**
   * `Waiting`: accepted, and kept by the kind, but nothing is made in AWS yet because objects the spec
   * names do not exist yet (a stack's template): each write of the object (and the store's retries,
   * after writes in its namespace and every full resync) asks the kind to create it again. The
   * message says what it waits for.
   */
  phase: 'Waiting' | 'Creating' | 'Updating' | 'Ready' | 'Deleting' | 'Failed';
  message?: string;
  /** The original operator's status word, where the kind has its own (a stack's status, UPLOAD_COMPLETE). */
  resourceStatus?: string;
  /** Conditions besides Ready that the resource's state says (a stack that rolled back). */
  conditions?: { type: string; status: 'True' | 'False'; reason: string; message: string }[];
}

/** One AWS resource as read from AWS, already rendered into the kind's spec and status. */
export interface Observed<S extends object = object> {
  /** How the kind addresses the resource in AWS calls (table name, queue URL, ARN...). */
  ref: string;
  arn: string;
  /** All tags of the resource, ours and the user's. */
  tags: Record<string, string>;
  lifecycle: Lifecycle;
  /** The spec as AWS has it, canonical (see KindDefinition.canonicalSpec), without tags. */
  spec: S;
  /** Kind-specific status fields (arn, names, endpoints). Conditions are added by the registry. */
  status: Record<string, unknown>;
  /** Outputs for applications (the original operator's `output` field and ConfigMap keys). */
  outputs: Record<string, string>;
  /** When AWS says the resource was created (RFC 3339), if it says. */
  createdAt?: string;
}

/**
 * What an update has to do, computed once by the store from the canonical specs: the spec AWS has, the
 * desired one, and the top-level fields whose values differ (set, changed or removed). Kinds act on
 * the changed fields (see `changed`) instead of comparing the specs again.
 */
export interface SpecChange<S extends object> {
  current: S;
  desired: S;
  fields: ReadonlySet<string>;
}

/** Whether any of these top-level fields differ in the change. */
export function changed<S extends object>(change: SpecChange<S>, ...fields: (keyof S & string)[]): boolean {
  return fields.some((field) => change.fields.has(field));
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

/** Something a write did that users should see on the object (`kubectl describe`): a Kubernetes Event. */
export interface KindEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** What an update reports besides its effect in AWS. */
export interface UpdateReport {
  events?: KindEvent[];
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

export interface KindAws<S extends object> {
  /** The physical name a new object gets: the spec's explicit name, or (without a spec too) a collision-free default. */
  physicalName(identity: ObjectIdentity, spec?: S): string;
  /** Where the spec names the resource explicitly; absent when names are always derived. */
  explicitName?: ExplicitNaming;
  /** Every other AWS resource the spec has the server create or wire in (see LinkedResource). */
  linked?(spec: S, physicalName: string, identity: ObjectIdentity): LinkedResource[];
  /** Reads the resource (spec, status, tags); undefined when it does not exist. */
  find(ctx: KindContext, ref: string): Promise<Observed<S> | undefined>;
  /**
   * Checks against AWS that a create must pass before anything is written (a subscription SNS already
   * has, say): run before the create records itself, in dry runs too. Refuses by throwing.
   */
  precheck?(ctx: KindContext, spec: S): Promise<void>;
  /** Creates the resource with its tags (in the same call where AWS allows it); returns its ref. */
  create(ctx: KindContext, name: string, spec: S, tags: Record<string, string>): Promise<string>;
  /** Brings the resource from `change.current` to `change.desired` with the fewest AWS calls; tags are separate. */
  update(ctx: KindContext, current: Observed<S>, change: SpecChange<S>): Promise<UpdateReport | void>;
  setTags(ctx: KindContext, current: Observed<S>, change: TagChange): Promise<void>;
  delete(ctx: KindContext, current: Observed<S>): Promise<DeleteOutcome>;
  /**
   * Removes a resource whose create never finished (nobody was told it exists), with everything made
   * for it, overriding what only a finished object could have asked for (deletion protection); it
   * still never destroys data (a bucket holding objects stays). Default: delete.
   */
  discard?(ctx: KindContext, current: Observed<S>): Promise<void>;
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

/** The data of a ConfigMap of the namespace being written to; undefined when there is none. */
export type ConfigMapLookup = (name: string) => Promise<Record<string, string> | undefined>;

export interface ReferenceContext<S extends object> {
  identity: ObjectIdentity;
  lookup: SiblingLookup;
  configMap: ConfigMapLookup;
  /** The spec AWS has now, on update; undefined on create. */
  current?: S;
}

/**
 * A kind. Hooks are declared as methods: a KindDefinition<SomeSpec> is then usable wherever the
 * registry handles kinds generically (KindDefinition<object>), as the registry only ever hands a kind
 * the spec that kind's own canonicalSpec made.
 */
export interface KindDefinition<S extends object = object> {
  names: KindNames;
  description: string;
  /** The root field holding the desired state: `spec`, or `data` where the original operator had it. */
  specField?: 'spec' | 'data';
  /** Schema of the spec without `tags` (the registry adds the common `tags`). */
  specSchema: Schema;
  /** Schema of the kind-specific `status` fields (the registry adds conditions and generations). */
  statusSchema: Schema;
  /** Schema of the kind's `output` root field (the original operator's outputs). */
  outputSchema: Schema;
  columns: PrinterColumn[];
  /** Spec fields (dotted paths) that cannot change after creation. */
  immutableFields: string[];
  /** Highest number of tags the resource takes (50 for most services): the user's and the metadata's. */
  tagLimit: number;
  /** A lower limit for the user's own tags, where they live apart from the metadata (S3 object tags). */
  userTagLimit?: number;
  /** The AWS error codes of the kind's service, by what they mean (registered for the whole server). */
  awsErrorCodes?: AwsErrorCodes;
  /**
   * Why existing resources of the kind cannot be adopted or observed (registry/adoption.ts), when they
   * cannot: such a request is a 422 saying this. Absent: adoptable, and in the `adopt` ClusterRole.
   */
  notAdoptable?: string;
  /**
   * The single form of a schema-valid spec (without `tags`) that rendering and desired specs share,
   * every default filled in, so that equal settings compare equal. On update `current` is the spec AWS
   * has, for settings whose unset value means "keep what AWS chose" (a defaulted physical name, say).
   * Throws SpecInvalid for what the schema cannot say about a field's shape (a string or a list).
   */
  canonicalSpec(spec: Record<string, unknown>, current?: S): S;
  /** Semantic checks beyond the schema (AWS naming rules, cross-field constraints). Paths start at the spec field. */
  validate(spec: S, identity: ObjectIdentity): FieldError[];
  /** Checks of a change beyond immutableFields (what AWS cannot change in one step); run before dry runs return. */
  validateUpdate?(desired: S, current: S): FieldError[];
  /**
   * Only for kinds whose spec names other objects of the same namespace (a subscription's topic, say):
   * fills in the AWS identities those names stand for, after the spec passed validation and before it is
   * compared with AWS or written. Throws SpecInvalid naming the field when a named object does not exist,
   * or, for a kind whose resources can wait for them (see Lifecycle's `Waiting`), leaves them unresolved:
   * its create then keeps the object without making anything in AWS.
   */
  resolveReferences?(ctx: KindContext, spec: S, references: ReferenceContext<S>): Promise<S>;
  /**
   * Checks that need AWS but change nothing (CloudFormation's ValidateTemplate), on the resolved spec,
   * before a dry run returns or anything is written. Paths start at the spec field.
   */
  verify?(ctx: KindContext, spec: S): Promise<FieldError[]>;
  /**
   * The AWS services (`dynamodb`, `sqs`...) whose CloudTrail events can name this kind's resources or
   * the places its metadata lives: change events of these re-read the objects they name.
   */
  changeEventServices?: string[];
  aws: KindAws<S>;
}

/** Thrown by kind code: the request conflicts with the resource's state (a 409 naming the object). */
export class ResourceConflict extends Error {}

/** Thrown by kind code: the desired spec cannot be applied to this resource (a 422 with these causes). */
export class SpecInvalid extends Error {
  constructor(readonly causes: FieldError[]) {
    super(causes.map((c) => `${c.field}: ${c.detail}`).join('; '));
  }
}

/** The root field of a kind's desired state. */
export function specFieldOf(kind: Pick<KindDefinition, 'specField'>): 'spec' | 'data' {
  return kind.specField ?? 'spec';
}
