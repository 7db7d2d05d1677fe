// Kept only for faults the real kube-apiserver cannot be made to produce on demand (a failing
// SubjectAccessReview, ConfigMap write, namespace lookup, Lease or Pod patch; a rotated front-proxy
// CA): test/e2e/kube-faults.test.ts and test/integration/kube-clients.test.ts. Every other test of
// what the server asks of kube-apiserver runs against the real one (test/cluster/).
//
// A small, honest stand-in for the parts of kube-apiserver this server calls: TokenReview,
// SubjectAccessReview (decided from a rule table the test configures), and an in-memory object store
// for namespaces, ConfigMaps (get/create/replace/watch), Events and Leases. Real TLS on 127.0.0.1;
// every caller must present the server's service-account token, as RBAC would require.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { createCertificateAuthority, issueCertificate } from '../../src/tls/certificates.js';

export interface DoubleUser {
  username: string;
  uid?: string;
  groups?: string[];
}

/** One RBAC-like grant: who may do which verbs on which resources (or paths) where. */
export interface AccessRule {
  user?: string;
  group?: string;
  verbs: string[];
  /** Resource names (plurals); '*' for all. Omit for a non-resource rule. */
  resources?: string[];
  /** The namespace the grant holds in (a RoleBinding); omitted: cluster-wide (a ClusterRoleBinding). */
  namespace?: string;
  /** Non-resource paths; a trailing '*' matches a prefix. */
  paths?: string[];
}

export interface SubjectAccessReviewSpec {
  user: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  resourceAttributes?: { namespace?: string; verb: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string };
  nonResourceAttributes?: { path: string; verb: string };
}

/** A call the double accepted (only the server's service-account token is accepted). */
export interface RecordedCall {
  method: string;
  path: string;
}

type KubeObject = { apiVersion?: string; kind?: string; metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string; [k: string]: unknown }; [k: string]: unknown };

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  resourceVersion: number;
}

function status(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** `/api/v1/namespaces/ns/configmaps/name` → collection `/api/v1/namespaces/ns/configmaps`, name. */
function splitObjectPath(path: string): { collection: string; name?: string; resource: string } | undefined {
  const namespaced = /^(\/apis?\/.+?\/namespaces\/[^/]+\/([^/]+))(?:\/([^/]+))?$/.exec(path);
  if (namespaced) return { collection: namespaced[1], resource: namespaced[2], ...(namespaced[3] ? { name: namespaced[3] } : {}) };
  const namespace = /^(\/api\/v1\/namespaces)(?:\/([^/]+))?$/.exec(path);
  if (namespace) return { collection: namespace[1], resource: 'namespaces', ...(namespace[2] ? { name: namespace[2] } : {}) };
  return undefined;
}

function ruleMatches(rule: AccessRule, spec: SubjectAccessReviewSpec): boolean {
  const subject = (rule.user !== undefined && rule.user === spec.user) || (rule.group !== undefined && (spec.groups ?? []).includes(rule.group));
  if (!subject) return false;
  const verbOk = rule.verbs.includes('*') || rule.verbs.includes((spec.resourceAttributes ?? spec.nonResourceAttributes)?.verb ?? '');
  if (!verbOk) return false;
  const attributes = spec.resourceAttributes;
  if (attributes) {
    if (!rule.resources) return false;
    const resourceOk = rule.resources.includes('*') || rule.resources.includes(attributes.resource ?? '');
    // A namespaced grant never covers a cluster-scoped (all namespaces) request, as with RoleBindings.
    const namespaceOk = rule.namespace === undefined || rule.namespace === (attributes.namespace ?? '');
    return resourceOk && namespaceOk;
  }
  const path = spec.nonResourceAttributes?.path ?? '';
  return (rule.paths ?? []).some((p) => (p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : path === p));
}

export class KubeDouble {
  readonly calls: RecordedCall[] = [];
  readonly accessReviews: SubjectAccessReviewSpec[] = [];
  readonly tokenReviews: string[] = [];
  /** The rule table SubjectAccessReviews are decided from; tests may change it. */
  rules: AccessRule[];
  /** TokenReview: bearer tokens of direct callers and who they are. */
  tokens: Record<string, DoubleUser>;
  /** When set, these API paths answer 500 (to test how the server copes with a failing cluster). */
  failing = new Set<string>();
  /** Requests to these paths wait, once each, until released (see holdNext). */
  private readonly holds = new Map<string, { reached: () => void; released: Promise<void> }>();
  private readonly objects = new Map<string, KubeObject>();
  private readonly history = new Map<string, WatchEvent[]>();
  private readonly watchers = new Set<{ collection: string; name?: string; send: (event: WatchEvent) => void }>();
  private revision = 1000;
  private server!: Server;
  url = '';
  readonly ca: string;
  private readonly serving: { certPem: string; keyPem: string };
  readonly serverToken = `server-sa-${Math.random().toString(36).slice(2)}`;

  constructor(options: { rules?: AccessRule[]; tokens?: Record<string, DoubleUser> } = {}) {
    this.rules = options.rules ?? [];
    this.tokens = options.tokens ?? {};
    const ca = createCertificateAuthority('kube-double CA');
    this.ca = ca.certPem;
    this.serving = issueCertificate(ca, { commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' });
  }

  async start(): Promise<this> {
    this.server = createServer({ cert: this.serving.certPem, key: this.serving.keyPem }, (req, res) => {
      this.handle(req, res).catch((error: unknown) => this.send(res, 500, status(500, 'InternalError', String(error))));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** A kubeconfig that identifies as the server's service account. */
  writeKubeconfig(): string {
    const path = join(mkdtempSync(join(tmpdir(), 'kube-double-')), 'kubeconfig');
    const name = 'kube-double';
    writeFileSync(
      path,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name, cluster: { server: this.url, 'certificate-authority-data': Buffer.from(this.ca).toString('base64') } }],
        users: [{ name, user: { token: this.serverToken } }],
        contexts: [{ name, context: { cluster: name, user: name, namespace: 'aws-service-apiserver' } }],
        'current-context': name,
      }),
    );
    return path;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /**
   * Makes the next request to `path` wait until `release` is called: `reached` resolves once it has
   * arrived. A call in flight at a chosen moment, which only a double can arrange deterministically.
   */
  holdNext(path: string): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    let reached!: () => void;
    const arrived = new Promise<void>((resolve) => (reached = resolve));
    this.holds.set(path, { reached, released: new Promise((resolve) => (release = resolve)) });
    return { reached: arrived, release };
  }

  // ------------------------------------------------------------ the store, for tests

  get(path: string): KubeObject | undefined {
    const object = this.objects.get(path);
    return object && structuredClone(object);
  }

  /** Creates or replaces an object directly (as another client of the cluster would), firing watches. */
  put(path: string, object: KubeObject): KubeObject {
    const existed = this.objects.has(path);
    const stored: KubeObject = structuredClone(object);
    stored.metadata.resourceVersion = String(++this.revision);
    stored.metadata.uid ??= this.objects.get(path)?.metadata.uid ?? `uid-${this.revision}`;
    this.objects.set(path, stored);
    this.publish(path, { type: existed ? 'MODIFIED' : 'ADDED', object: stored, resourceVersion: this.revision });
    return structuredClone(stored);
  }

  namespace(name: string, phase: 'Active' | 'Terminating' = 'Active'): void {
    this.put(`/api/v1/namespaces/${name}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: {}, status: { phase } });
  }

  /** Objects whose path starts with `prefix` (e.g. every Event in a namespace). */
  list(prefix: string): KubeObject[] {
    return [...this.objects].filter(([path]) => path.startsWith(prefix)).map(([, object]) => structuredClone(object));
  }

  private publish(path: string, event: WatchEvent): void {
    const split = splitObjectPath(path);
    if (!split) return;
    const events = this.history.get(split.collection) ?? [];
    events.push(event);
    this.history.set(split.collection, events);
    for (const watcher of this.watchers) {
      if (watcher.collection === split.collection && (!watcher.name || watcher.name === split.name)) watcher.send(event);
    }
  }

  // ------------------------------------------------------------ HTTP

  private send(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async body(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname;
    if (req.headers.authorization !== `Bearer ${this.serverToken}`) return this.send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    this.calls.push({ method: req.method ?? '', path });
    const hold = this.holds.get(path);
    if (hold) {
      this.holds.delete(path);
      hold.reached();
      await hold.released;
    }
    if (this.failing.has(path)) return this.send(res, 500, status(500, 'InternalError', 'the double was told to fail'));
    if (req.method === 'POST' && path === '/apis/authentication.k8s.io/v1/tokenreviews') return this.tokenReview(res, await this.body(req));
    if (req.method === 'POST' && path === '/apis/authorization.k8s.io/v1/subjectaccessreviews') return this.accessReview(res, await this.body(req));
    const split = splitObjectPath(path);
    if (!split) return this.send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    if (req.method === 'GET' && !split.name && url.searchParams.get('watch') === 'true') return this.watch(res, split.collection, url.searchParams);
    if (req.method === 'GET' && split.name) return this.read(res, path, split.resource, split.name);
    if (req.method === 'GET') return this.send(res, 200, { kind: 'List', apiVersion: 'v1', metadata: {}, items: this.matching(split.collection, url.searchParams.get('labelSelector')) });
    if (req.method === 'PATCH' && split.name) return this.patch(res, path, split.resource, split.name, (await this.body(req)) as unknown as Operation[]);
    if (req.method === 'POST' && !split.name) return this.create(res, split.collection, split.resource, (await this.body(req)) as KubeObject);
    if (req.method === 'PUT' && split.name) return this.replace(res, path, split.resource, split.name, (await this.body(req)) as KubeObject);
    return this.send(res, 405, status(405, 'MethodNotAllowed', 'the double does not serve this'));
  }

  private tokenReview(res: ServerResponse, review: Record<string, unknown>): void {
    const token = String((review.spec as { token?: string } | undefined)?.token ?? '');
    this.tokenReviews.push(token);
    const user = this.tokens[token];
    const reviewed = user ? { authenticated: true, user: { username: user.username, uid: user.uid ?? '', groups: user.groups ?? [] } } : { authenticated: false, error: 'token not recognised' };
    this.send(res, 201, { ...review, status: reviewed });
  }

  private accessReview(res: ServerResponse, review: Record<string, unknown>): void {
    const spec = review.spec as SubjectAccessReviewSpec;
    this.accessReviews.push(spec);
    const allowed = this.rules.some((rule) => ruleMatches(rule, spec));
    this.send(res, 201, { ...review, status: allowed ? { allowed: true, reason: 'allowed by the test rule table' } : { allowed: false } });
  }

  private read(res: ServerResponse, path: string, resource: string, name: string): void {
    const object = this.objects.get(path);
    if (!object) return this.send(res, 404, status(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource }));
    this.send(res, 200, object);
  }

  private create(res: ServerResponse, collection: string, resource: string, object: KubeObject): void {
    if (!object.metadata.name && typeof object.metadata.generateName === 'string') object.metadata.name = `${object.metadata.generateName}${(++this.revision).toString(36)}`;
    const name = object.metadata.name ?? '';
    const path = `${collection}/${name}`;
    if (this.objects.has(path)) return this.send(res, 409, status(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, kind: resource }));
    if (object.metadata.resourceVersion) return this.send(res, 400, status(400, 'BadRequest', 'resourceVersion should not be set on objects to be created'));
    this.send(res, 201, this.put(path, object));
  }

  private replace(res: ServerResponse, path: string, resource: string, name: string, object: KubeObject): void {
    const current = this.objects.get(path);
    if (!current) return this.send(res, 404, status(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource }));
    if (object.metadata.resourceVersion !== current.metadata.resourceVersion) {
      return this.send(res, 409, status(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, kind: resource }));
    }
    this.send(res, 200, this.put(path, { ...object, metadata: { ...object.metadata, uid: current.metadata.uid } }));
  }

  /** Objects of a collection whose labels match an equality selector (`a=b,c=d`). */
  private matching(collection: string, selector: string | null): KubeObject[] {
    const wanted = (selector ?? '').split(',').filter(Boolean).map((term) => term.split('='));
    return this.list(`${collection}/`).filter((o) => wanted.every(([k, v]) => ((o.metadata.labels ?? {}) as Record<string, string>)[k] === v));
  }

  /** JSON patch (what the server sends for its pod label). */
  private patch(res: ServerResponse, path: string, resource: string, name: string, operations: Operation[]): void {
    const current = this.objects.get(path);
    if (!current) return this.send(res, 404, status(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource }));
    try {
      const patched = fastJsonPatch.applyPatch(structuredClone(current), operations, true).newDocument;
      this.send(res, 200, this.put(path, patched));
    } catch (error) {
      this.send(res, 422, status(422, 'Invalid', `the patch cannot be applied: ${(error as Error).message}`));
    }
  }

  private watch(res: ServerResponse, collection: string, query: URLSearchParams): void {
    const name = /^metadata\.name=(.+)$/.exec(query.get('fieldSelector') ?? '')?.[1];
    const from = Number(query.get('resourceVersion') ?? this.revision);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    const send = (event: WatchEvent) => res.write(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
    for (const event of this.history.get(collection) ?? []) {
      if (event.resourceVersion > from && (!name || event.object.metadata.name === name)) send(event);
    }
    const watcher = { collection, ...(name ? { name } : {}), send };
    this.watchers.add(watcher);
    const timeout = Number(query.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      this.watchers.delete(watcher);
      if (timer) clearTimeout(timer);
    });
  }
}
