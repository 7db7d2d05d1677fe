// An in-memory stand-in for an AWS service, for what moto cannot show: resources that take time to
// create and delete (as DynamoDB tables are CREATING, then ACTIVE; DELETING, then gone), and a count
// of every call, to check what the resync costs. It keeps the real service's rules: a resource that is
// not ACTIVE cannot be updated, a deleted one is gone, listing returns 100 resources with tags per call.
import type { FieldError } from '../../src/api/errors.js';
import { CLUSTER_TAG } from '../../src/aws/metadata-tags.js';
import { ResourceConflict, type KindDefinition, type Lifecycle, type Listed, type ObjectIdentity, type Observed, type TagChange } from '../../src/registry/kind.js';

type State = 'CREATING' | 'ACTIVE' | 'DELETING';

export interface FakeSpec {
  size: number;
}

interface FakeResource {
  ref: string;
  tags: Record<string, string>;
  spec: FakeSpec;
  state: State;
  /** When CREATING becomes ACTIVE, or DELETING becomes gone. */
  transitionAt: number;
}

export interface FakeCloudOptions {
  /** How long creating and deleting take. */
  transitionMs: number;
  now?: () => number;
  /** Listing names resources by ARN while reads answer with their name (as SQS lists names for URLs). */
  listByArn?: boolean;
}

const ARN_PREFIX = 'arn:fake:table/';

const LIST_PAGE = 100;

export class FakeCloud {
  private readonly resources = new Map<string, FakeResource>();
  readonly calls = { list: 0, find: 0, create: 0, update: 0, setTags: 0, delete: 0 };
  /** Refs the listing leaves out for now (the tagging API lags behind the service). */
  readonly hiddenFromListing = new Set<string>();
  /** While set, listing waits for it (a slow first read of a big account). */
  private listingHeld: Promise<void> | undefined;
  /** Refs whose next read answers only when released, with what was true when it was made. */
  private readonly slowReads = new Map<string, { released: Promise<void>; begun: () => void }>();
  private readonly now: () => number;

  constructor(private readonly options: FakeCloudOptions) {
    this.now = options.now ?? Date.now;
  }

  resetCalls(): void {
    for (const key of Object.keys(this.calls) as (keyof FakeCloud['calls'])[]) this.calls[key] = 0;
  }

  /** Applies the transitions that are due; returns the resource as it is now. */
  private current(ref: string): FakeResource | undefined {
    const resource = this.resources.get(ref);
    if (!resource || resource.transitionAt > this.now()) return resource;
    if (resource.state === 'DELETING') {
      this.resources.delete(ref);
      return undefined;
    }
    resource.state = 'ACTIVE';
    return resource;
  }

  has(ref: string): boolean {
    return this.current(ref) !== undefined;
  }

  refs(): string[] {
    return [...this.resources.keys()].filter((ref) => this.current(ref));
  }

  // -------------------------------------------------- what someone else does to the account

  createOutOfBand(ref: string, tags: Record<string, string>, size = 1): void {
    this.resources.set(ref, { ref, tags: { ...tags }, spec: { size }, state: 'ACTIVE', transitionAt: 0 });
  }

  resizeOutOfBand(ref: string, size: number): void {
    const resource = this.current(ref);
    if (!resource) throw new Error(`no resource ${ref}`);
    resource.spec = { size };
  }

  tagOutOfBand(ref: string, tags: Record<string, string>): void {
    const resource = this.current(ref);
    if (!resource) throw new Error(`no resource ${ref}`);
    resource.tags = { ...resource.tags, ...tags };
  }

  deleteOutOfBand(ref: string): void {
    this.resources.delete(ref);
  }

  /** Makes listing wait until the returned function is called. */
  holdListing(): () => void {
    let release!: () => void;
    this.listingHeld = new Promise((resolve) => (release = resolve));
    return () => {
      this.listingHeld = undefined;
      release();
    };
  }

  /**
   * Makes the next read of `ref` see the resource as it is then but answer only once released;
   * `begun` resolves when that read has been made.
   */
  slowNextRead(ref: string): { begun: Promise<void>; release: () => void } {
    let release!: () => void;
    let begun!: () => void;
    const started = new Promise<void>((resolve) => (begun = resolve));
    this.slowReads.set(ref, { released: new Promise((resolve) => (release = resolve)), begun });
    return { begun: started, release };
  }

  /** A read whose answer may be held back (see slowNextRead). */
  async read(ref: string): Promise<Observed<FakeSpec> | undefined> {
    const answer = this.find(ref.startsWith(ARN_PREFIX) ? ref.slice(ARN_PREFIX.length) : ref);
    const slow = this.slowReads.get(ref);
    this.slowReads.delete(ref);
    slow?.begun();
    await slow?.released;
    return answer;
  }

  // -------------------------------------------------- the service's API, as the kind calls it

  find(ref: string): Observed<FakeSpec> | undefined {
    this.calls.find++;
    const resource = this.current(ref);
    if (!resource) return undefined;
    const arn = `${ARN_PREFIX}${ref}`;
    return {
      ref,
      arn,
      tags: { ...resource.tags },
      lifecycle: lifecycleOf(resource.state),
      spec: { ...resource.spec },
      status: { arn, state: resource.state },
      outputs: { name: ref },
    };
  }

  create(ref: string, spec: FakeSpec, tags: Record<string, string>): string {
    this.calls.create++;
    if (this.current(ref)) throw new ResourceConflict(`${ref} already exists`);
    this.resources.set(ref, { ref, tags: { ...tags }, spec: { size: spec.size }, state: 'CREATING', transitionAt: this.now() + this.options.transitionMs });
    return ref;
  }

  update(ref: string, spec: FakeSpec): void {
    this.calls.update++;
    const resource = this.current(ref);
    if (resource?.state !== 'ACTIVE') throw new ResourceConflict(`${ref} is ${resource?.state ?? 'gone'}; it can be changed once ACTIVE`);
    resource.spec = { size: spec.size };
  }

  setTags(ref: string, change: TagChange): void {
    this.calls.setTags++;
    const resource = this.current(ref);
    if (!resource) throw new ResourceConflict(`${ref} is gone`);
    resource.tags = { ...resource.tags, ...change.set };
    for (const key of change.remove) delete resource.tags[key];
  }

  delete(ref: string): void {
    this.calls.delete++;
    const resource = this.current(ref);
    if (!resource || resource.state === 'DELETING') return;
    if (resource.state !== 'ACTIVE') throw new ResourceConflict(`${ref} is ${resource.state}; it can be deleted once ACTIVE`);
    resource.state = 'DELETING';
    resource.transitionAt = this.now() + this.options.transitionMs;
  }

  /** Pages of 100 resources carrying the cluster's tag, with their tags, like GetResources. */
  async *list(clusterName: string): AsyncIterable<Listed> {
    await this.listingHeld;
    const matching = this.refs()
      .filter((ref) => !this.hiddenFromListing.has(ref))
      .map((ref) => this.resources.get(ref) as FakeResource)
      .filter((resource) => resource.tags[CLUSTER_TAG] === clusterName);
    for (let page = 0; page === 0 || page * LIST_PAGE < matching.length; page++) {
      this.calls.list++;
      for (const resource of matching.slice(page * LIST_PAGE, (page + 1) * LIST_PAGE)) {
        yield { ref: this.options.listByArn ? `${ARN_PREFIX}${resource.ref}` : resource.ref, tags: { ...resource.tags } };
      }
    }
  }
}

function lifecycleOf(state: State): Lifecycle {
  if (state === 'CREATING') return { state, phase: 'Creating', message: 'resource is CREATING' };
  if (state === 'DELETING') return { state, phase: 'Deleting', message: 'resource is DELETING' };
  return { state, phase: 'Ready', message: 'resource is ACTIVE' };
}

/** A kind backed by the fake cloud; everything else about it goes through the real generic registry. */
export function fakeKind(cloud: FakeCloud): KindDefinition<FakeSpec> {
  return {
    names: { kind: 'FakeTable', plural: 'faketables', singular: 'faketable', shortNames: ['fake'] },
    description: 'A resource of an in-memory fake AWS service (tests only).',
    specSchema: { type: 'object', properties: { size: { type: 'integer', minimum: 1, description: 'Size.' } } },
    statusSchema: { type: 'object', properties: { arn: { type: 'string' }, state: { type: 'string' } } },
    outputSchema: { type: 'object', properties: { name: { type: 'string' } } },
    columns: [
      { name: 'State', type: 'string', description: 'Resource state.', jsonPath: '.status.state', priority: 0 },
      { name: 'Size', type: 'integer', description: 'Size.', jsonPath: '.spec.size', priority: 0 },
    ],
    immutableFields: [],
    tagLimit: 50,
    canonicalSpec: (spec) => ({ size: (spec.size as number | undefined) ?? 1 }),
    validate: (): FieldError[] => [],
    aws: {
      physicalName: (identity: ObjectIdentity) => `${identity.clusterName}.${identity.namespace}.${identity.name}`,
      find: (_ctx, ref) => cloud.read(ref),
      create: async (_ctx, name, spec, tags) => cloud.create(name, spec, tags),
      update: async (_ctx, current, change) => cloud.update(current.ref, change.desired),
      setTags: async (_ctx, current, change) => cloud.setTags(current.ref, change),
      delete: async (_ctx, current) => {
        cloud.delete(current.ref);
        return { state: cloud.has(current.ref) ? 'deleting' : 'deleted' };
      },
      enumerate: async function* (_ctx, clusterName) {
        yield* cloud.list(clusterName);
      },
    },
  };
}
