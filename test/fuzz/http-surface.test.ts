// A bounded, seeded fuzz of the HTTP surface (issue 9): mutated bodies of every kind (wrong types,
// unknown fields, deep nesting, odd encodings and media types), patches of every type, metadata of the
// wrong types, query parameters, paths, methods and Accept headers. Every answer must be a Status or a
// document (never a 5xx), arrive in bounded time (never a hang), and a refused request must make no AWS
// change: the fault proxy in front of moto counts every mutating AWS call while each request runs.
// SEED=<n> replays a run; FUZZ_REQUESTS=<n> makes it longer (the default keeps `npm test` quick).
import { request } from 'node:https';
import { stringify as toYaml } from 'yaml';
import { TOPIC_TEMPLATE } from '../support/aws.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import type { AwsCall, FaultProxy } from '../support/fault-proxy.js';
import { SeededRandom, seedFrom } from '../support/random.js';

const SEED = seedFrom(2013);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 300);
/** Bounds a hang, it is not what is measured: a slow machine answers well within it. */
const ANSWER_WITHIN_MS = 30_000;
const GROUP = '/apis/service-operator.aws/v1alpha1';

let env: TestEnvironment;
let proxy: FaultProxy;
const random = new SeededRandom(SEED);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const KINDS: { plural: string; kind: string; root?: 'data'; spec: Record<string, Json> }[] = [
  { plural: 'dynamodbs', kind: 'DynamoDB', spec: { hashAttribute: { name: 'id', type: 'S' }, billingMode: 'PAY_PER_REQUEST' } },
  { plural: 'sqsqueues', kind: 'SQSQueue', spec: { visibilityTimeout: 40, deadLetterQueue: { name: 'base', maxReceiveCount: 3 } } },
  { plural: 'snstopics', kind: 'SNSTopic', spec: { displayName: 'x' } },
  { plural: 's3buckets', kind: 'S3Bucket', spec: { versioning: true, logging: { enabled: true, prefix: 'logs/' } } },
  { plural: 'ecrrepositories', kind: 'ECRRepository', spec: { scanOnPush: true } },
  { plural: 'snssubscriptions', kind: 'SNSSubscription', spec: { topicName: 'base', protocol: 'sqs', endpoint: 'base' } },
  { plural: 'elasticaches', kind: 'ElastiCache', spec: { engine: 'redis', cacheNodeType: 'cache.t3.micro', snapshotRetentionLimit: 1 } },
  { plural: 'cloudformationtemplates', kind: 'CloudFormationTemplate', root: 'data', spec: { template: TOPIC_TEMPLATE } },
  { plural: 'cloudformationstacks', kind: 'CloudFormationStack', spec: { template: TOPIC_TEMPLATE, terminationProtection: false } },
];

const deep = (depth: number): Json => (depth === 0 ? 1 : { d: deep(depth - 1) });
const VALUES: Json[] = [null, true, false, 0, -1, 1.5, 2 ** 53, 1e308, '', 'x', 'Not_Valid', 'a'.repeat(300), '\u0000', '💥', '../..', '%zz', 'service-operator.aws/meta', [], [1, 'a'], {}, { a: { b: 1 } }, deep(12)];
const NAMES = ['base', 'fresh', 'Bad_Name', '', 'a'.repeat(260), '%zz', '%2F', '..', 'x.y', '-a', 'ok-1'];
const NAMESPACES = ['other', 'Bad_NS', '%zz', 'x'.repeat(70), 'kube-system'];
const QUERY: Record<string, string[]> = {
  dryRun: ['All', 'all', '', 'x'],
  fieldManager: ['fuzz', '', 'x'.repeat(200), '\u0007', 'kubectl'],
  fieldValidation: ['Strict', 'Warn', 'Ignore', 'strict', 'x'],
  labelSelector: ['a=b', 'a in (b,c)', '!a', 'a==', '(', 'a=b,,', '%zz', 'x'.repeat(100)],
  fieldSelector: ['metadata.name=base', 'metadata.namespace!=x', 'spec.x=1', '=', 'a'],
  limit: ['1', '0', '-1', '9999999999999999999', 'x', '1.5'],
  continue: ['', 'x', 'eyJ4IjoxfQ', '%zz'],
  resourceVersion: ['0', '1', '', 'x', '99999999999999999999', '-1'],
  resourceVersionMatch: ['NotOlderThan', 'Exact', 'x'],
  timeoutSeconds: ['1', '0', '3000000', '-5', 'x', '99999999999999999999'],
  watch: ['true', '1', 'false', 'x'],
  allowWatchBookmarks: ['true', 'x'],
  sendInitialEvents: ['true', 'false', 'x'],
  includeObject: ['None', 'Metadata', 'Object', 'x'],
  force: ['true', 'false', 'x'],
  propagationPolicy: ['Foreground', 'x'],
};
const CONTENT_TYPES = ['application/json', 'application/yaml', 'application/merge-patch+json', 'application/json-patch+json', 'application/apply-patch+yaml', 'application/strategic-merge-patch+json', 'text/plain', 'application/json; charset=utf-16', '', 'x/y;;='];
const ACCEPTS = [undefined, 'application/json', 'application/yaml', 'application/json;as=Table;v=v1;g=meta.k8s.io', 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io', 'application/vnd.kubernetes.protobuf', 'application/json;as=Table;v=v9;g=x', '*/*', 'x'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'POST', 'POST', 'POST', 'PUT', 'PUT', 'PATCH', 'PATCH', 'PATCH', 'PATCH', 'DELETE', 'DELETE', 'HEAD', 'OPTIONS', 'FUZZ'];

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

// ------------------------------------------------------------------ generating

function paths(value: Json, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const children = Array.isArray(value) ? value.map((v, i) => paths(v, [...prefix, String(i)])) : Object.entries(value).map(([k, v]) => paths(v, [...prefix, k]));
  return [prefix, ...children.flat()];
}

/** One random change somewhere in the object: a value of another type, a removal, or an unknown field. */
function mutate(object: Json): Json {
  const copy = structuredClone(object) as { [key: string]: Json };
  const candidates = paths(copy).filter((p) => p.length > 0);
  // Earlier changes may have emptied it: then there is only something to add.
  if (!candidates.length) return { [`extra${random.below(9)}`]: random.pick(VALUES) };
  const path = random.pick(candidates);
  const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as { [key: string]: Json })[key], copy) as { [key: string]: Json };
  const key = path[path.length - 1];
  const choice = random.below(3);
  if (choice === 0) parent[key] = random.pick(VALUES);
  else if (choice === 1) delete parent[key];
  else if (parent && typeof parent === 'object' && !Array.isArray(parent)) parent[`extra${random.below(9)}`] = random.pick(VALUES);
  return copy;
}

function manifest(kind: (typeof KINDS)[number], name: string): Json {
  const metadata: { [key: string]: Json } = { name, labels: { app: 'fuzz' }, annotations: { note: 'n' } };
  return { apiVersion: 'service-operator.aws/v1alpha1', kind: kind.kind, metadata, [kind.root ?? 'spec']: structuredClone(kind.spec) };
}

/** A patch that changes what an object may change: labels, annotations, the user's tags. */
function validPatch(): Json {
  return random.pick<Json>([{ metadata: { labels: { team: `t${random.below(5)}` } } }, { metadata: { annotations: { note: 'n'.repeat(random.below(400)) } } }, { spec: { tags: { env: `e${random.below(3)}` } } }]);
}

function patchBody(): Json {
  if (random.chance(0.35)) return validPatch();
  const choice = random.below(4);
  if (choice === 0) return mutate({ metadata: { labels: { a: 'b' }, annotations: { c: 'd' }, finalizers: ['x/y'], ownerReferences: [] }, spec: {} });
  if (choice === 1) return [{ op: random.pick(['add', 'replace', 'remove', 'test', 'move', 'copy', 'x']), path: random.pick(['/metadata/labels/a', '/spec', '/metadata/managedFields', '/metadata/name', '', '/x/y/z', 'nope']), value: random.pick(VALUES), from: '/spec' }];
  if (choice === 2) return mutate(manifest(random.pick(KINDS), 'base'));
  return random.pick(VALUES);
}

/** The bytes of a body: JSON or YAML, or something that is neither. */
function encode(value: Json): Buffer {
  switch (random.below(28)) {
    case 0:
      return Buffer.from(toYaml(value));
    case 1:
      return Buffer.from(JSON.stringify(value).slice(0, random.below(40)));
    case 2:
      return Buffer.from([0xff, 0xfe, 0x7b, 0x22, 0x80, 0x22, 0x7d]);
    case 3:
      return Buffer.from(`\ufeff${JSON.stringify(value)}`);
    case 4:
      return Buffer.from(`${'['.repeat(5000)}${']'.repeat(5000)}`);
    case 5:
      return Buffer.from('a: &x [*x]\nb: &y {k: *y}\n');
    case 6:
      return Buffer.from('');
    default:
      return Buffer.from(JSON.stringify(value));
  }
}

function query(): string {
  const parts: string[] = [];
  for (let i = random.below(4); i > 0; i--) {
    const name = random.pick(Object.keys(QUERY));
    parts.push(`${name}=${encodeURIComponent(random.pick(QUERY[name])).replace(/%25zz/, '%zz')}`);
  }
  if (random.chance(0.05)) parts.push('%zz=%zz', 'a=%E0%A4%A');
  return parts.length ? `?${parts.join('&')}` : '';
}

const namespace = () => (random.chance(0.8) ? 'fuzz' : random.pick(NAMESPACES));
const collection = (kind: (typeof KINDS)[number]) => `${GROUP}/namespaces/${namespace()}/${random.chance(0.9) ? kind.plural : random.pick(['widgets', 'DynamoDBs', 'dynamodbs.service-operator.aws'])}`;

/** Any path: documents, collections, objects (by a name that may not be one), subresources. */
function anyPath(kind: (typeof KINDS)[number]): string {
  switch (random.below(6)) {
    case 0:
      return random.pick(['/apis', `${GROUP}`, '/apis/service-operator.aws', '/openapi/v2', '/openapi/v3', `/openapi/v3${GROUP}?hash=x`, '/version', '/api', '/metrics', '/healthz', '/readyz?verbose', '/%zz', '/apis/service-operator.aws/v9', `${GROUP}/${kind.plural}`]);
    case 1:
      return `${collection(kind)}/${random.pick(NAMES)}/${random.pick(['status', 'scale', 'x'])}`;
    case 2:
      return collection(kind);
    default:
      return `${collection(kind)}/${random.pick(NAMES)}`;
  }
}

/** The object with random changes, each further one with probability `chance` (so sometimes none). */
function mutated(object: Json, chance: number): Json {
  let result = object;
  while (random.chance(chance)) result = mutate(result);
  return result;
}

function nextRequest(index: number): FuzzRequest {
  const method = random.pick(METHODS);
  const kind = random.pick(KINDS);
  const accept = random.chance(0.3) ? random.pick(ACCEPTS) : undefined;
  const headers: Record<string, string> = { ...(accept ? { Accept: accept } : {}) };
  const q = query();
  const object = (name: string) => `${collection(kind)}/${name}${q}`;
  const withBody = (path: string, body: Json, contentType: string): FuzzRequest => ({ method, path, headers: { ...headers, ...(contentType ? { 'Content-Type': contentType } : {}) }, body: encode(body) });
  const bodyType = () => (random.chance(0.7) ? 'application/json' : random.pick(['application/yaml', ...CONTENT_TYPES]));
  switch (method) {
    case 'POST': {
      const name = random.chance(0.6) ? `f${index}` : random.pick(NAMES);
      return withBody(random.chance(0.8) ? `${collection(kind)}${q}` : `${anyPath(kind)}${q}`, mutated(manifest(random.chance(0.85) ? kind : random.pick(KINDS), name), 0.6), bodyType());
    }
    case 'PUT':
      return withBody(object(random.chance(0.7) ? 'base' : random.pick(NAMES)), mutated(manifest(kind, 'base'), 0.7), bodyType());
    case 'PATCH': {
      const type = random.chance(0.8) ? random.pick(['application/merge-patch+json', 'application/json-patch+json', 'application/apply-patch+yaml']) : random.pick(CONTENT_TYPES);
      const manager = type.startsWith('application/apply') && random.chance(0.8) ? `${q ? '&' : '?'}fieldManager=fuzz` : '';
      return withBody(`${object(random.chance(0.8) ? 'base' : random.pick(NAMES))}${manager}`, patchBody(), type);
    }
    case 'DELETE':
      return withBody(object(random.chance(0.1) ? 'base' : random.pick(NAMES)), random.pick<Json>([{ preconditions: { uid: 'x' } }, { dryRun: ['All'] }, { dryRun: 'x' }, 'x', {}]), random.pick(['application/json', '']));
    default:
      return { method, path: `${anyPath(kind)}${q}`, headers };
  }
}

// ------------------------------------------------------------------ sending

/** Sends one request; a watch that the server accepted counts as answered once its headers arrive. */
function send(fuzz: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { Authorization: `Bearer ${env.server.token}`, ...fuzz.headers, ...(fuzz.body ? { 'Content-Length': String(fuzz.body.length) } : {}) };
    const req = request(`${env.server.url}${fuzz.path}`, { method: fuzz.method, headers, ca: env.server.ca }, (res) => {
      const contentType = String(res.headers['content-type'] ?? '');
      if (res.statusCode === 200 && res.headers['transfer-encoding'] === 'chunked' && /[?&]watch=(true|1)/.test(fuzz.path)) {
        clearTimeout(timer);
        req.destroy();
        return resolve({ status: 200, contentType, body: '' });
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, contentType, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${ANSWER_WITHIN_MS} ms`));
    }, ANSWER_WITHIN_MS);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(fuzz.body);
  });
}

/**
 * The AWS changes made since `mark`, less resources created and deleted again meanwhile (the record a
 * create makes of itself, a stack's document, taken back when AWS refuses the create): those leave
 * nothing behind.
 */
function netChanges(mark: number): AwsCall[] {
  const changes = proxy.changes(mark);
  const on = (resource: string) => changes.filter((c) => c.resource === resource).map((c) => c.operation);
  const undone = (resource: string | undefined) => {
    const operations = resource ? on(resource) : [];
    return /^(PutObject$|PutParameter$|Create)/.test(operations[0] ?? '') && /^Delete/.test(operations.at(-1) ?? '');
  };
  return changes.filter((c) => !undone(c.resource));
}

function describeRequest(fuzz: FuzzRequest, answer?: Answer): string {
  const body = fuzz.body ? ` body ${JSON.stringify(fuzz.body.toString('utf8').slice(0, 300))}` : '';
  return `seed ${SEED}: ${fuzz.method} ${fuzz.path} ${JSON.stringify(fuzz.headers)}${body}${answer ? ` → ${answer.status} ${answer.body.slice(0, 300)}` : ''}`;
}

async function setUpObjects(): Promise<void> {
  for (const kind of [KINDS[2], KINDS[1], ...KINDS.filter((k) => k !== KINDS[1] && k !== KINDS[2])]) {
    const base = manifest(kind, 'base') as { spec?: Record<string, Json> };
    if (kind.plural === 'sqsqueues') base.spec = {};
    const created = await env.request(`${GROUP}/namespaces/fuzz/${kind.plural}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(base) });
    expect([kind.kind, created.status]).toEqual([kind.kind, 201]);
  }
}

beforeAll(async () => {
  // No background resync while fuzzing: every mutating AWS call the proxy sees is a request's.
  env = await startEnvironment({ clusterName: 'fuzz', faults: { seed: SEED }, fillMotoGaps: true, extraArgs: ['--resync-period', '3600', '--transitional-resync-period', '3600'] });
  proxy = env.proxy as FaultProxy;
  await setUpObjects();
});

afterAll(async () => {
  await env?.stop();
});

test(`${REQUESTS} fuzzed requests: no 5xx, no hang, and no AWS change from a refused one (seed ${SEED})`, async () => {
  const seen: Record<string, number> = {};
  for (let i = 0; i < REQUESTS; i++) {
    const fuzz = nextRequest(i);
    const mark = proxy.calls.length;
    let answer: Answer;
    try {
      answer = await send(fuzz);
    } catch (error) {
      throw new Error(`${describeRequest(fuzz)}: ${(error as Error).message}`, { cause: error });
    }
    const group = `${Math.floor(answer.status / 100)}xx`;
    seen[group] = (seen[group] ?? 0) + 1;
    if (answer.status >= 500) throw new Error(`a 5xx: ${describeRequest(fuzz, answer)}`);
    if (answer.status >= 400) {
      const changed = netChanges(mark);
      if (changed.length) throw new Error(`a refused request changed AWS (${changed.map((c) => c.operation).join(', ')}): ${describeRequest(fuzz, answer)}`);
      if (fuzz.method !== 'HEAD' && !(answer.contentType.startsWith('application/json') && /"kind":"Status"/.test(answer.body))) throw new Error(`an error that is not a Status: ${describeRequest(fuzz, answer)}`);
    }
  }
  // The run reached both sides of the surface, and the server is still well.
  expect(seen['4xx']).toBeGreaterThan(REQUESTS / 4);
  expect(seen['2xx']).toBeGreaterThan(0);
  expect((await env.request('/readyz')).status).toBe(200);
});
