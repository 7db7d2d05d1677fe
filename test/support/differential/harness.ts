// Runs one step of a differential scenario against a target (the server, or the CRD of the same
// kind) through kube-apiserver, with a real client: kubectl, raw HTTP, the official Python client or
// @kubernetes/client-node. Records what a client can see: the answer (status code, Status reason,
// message and causes, or what kubectl printed), the object afterwards, and whether it was written.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import type { TestCluster } from '../real-cluster.js';
import { repoRoot } from '../paths.js';
import { normalizeGroup, type Target } from './targets.js';

/** A manifest or body, written for our group (targets rewrite it); `{resourceVersion}` is the live one. */
export type Body = Record<string, unknown> | unknown[];

export type Step =
  /** kubectl: `{file}` is the manifest in a file, `{resource}` the qualified resource, `{name}` the object. */
  | { kubectl: string[]; manifest?: Body }
  /** A request through kube-apiserver, to the object (or its collection). */
  | { request: { method: string; query?: string; body?: Body | string; contentType?: string; collection?: boolean; subresource?: string } }
  | { python: 'watch' | 'merge-patch-force' | 'server-side-apply' | 'replace' | 'get'; body?: Body; fieldManager?: string; force?: boolean }
  | { node: 'server-side-apply' | 'merge-patch' | 'replace'; body: Body; fieldManager?: string; force?: boolean };

export interface Subject {
  namespace: string;
  plural: string;
  kind: string;
  /** The root field of the kind's desired state: `spec`, or `data`. */
  specField: string;
  name: string;
}

export interface Answer {
  code: number;
  /** What a successful read returned (an object, or a list), as its kind. */
  kind?: string;
  /** What a Status said (reason, message, causes), or kubectl's words, group names alike on both sides. */
  said?: unknown;
  events?: unknown;
}

export interface StepContext {
  t: TestCluster;
  subject: Subject;
  /** The live object's resourceVersion before the step, for `{resourceVersion}`. */
  resourceVersion?: string;
}

const work = mkdtempSync(join(tmpdir(), 'differential-'));
let files = 0;

function fill(target: Target, body: Body | string, context: StepContext, applied = false): string {
  const text = typeof body === 'string' ? body : JSON.stringify(target.manifest(body, applied));
  return text.replaceAll('{resourceVersion}', context.resourceVersion ?? '');
}

/** `... is invalid: [a, b]` with its errors sorted: kube-apiserver lists a schema's errors in no fixed order. */
function listedInAnyOrder(message: string): string {
  const match = /^(.* is invalid: )\[(.*)\]$/s.exec(message);
  if (!match) return message;
  return `${match[1]}[${match[2].split(/, (?=[a-zA-Z][\w.[\]-]*: )/).sort().join(', ')}]`;
}

function statusOf(body: unknown): unknown {
  if (!body || typeof body !== 'object' || (body as { kind?: string }).kind !== 'Status') return undefined;
  const { reason, message, details } = body as { reason?: string; message?: string; details?: { causes?: { reason: string; message: string; field?: string }[] } };
  const causes = details?.causes?.map((c) => `${c.field ?? ''}|${c.reason}|${c.message}`).sort();
  return JSON.parse(normalizeGroup(JSON.stringify({ reason, message: message && listedInAnyOrder(message), ...(causes ? { causes } : {}) })));
}

/** kubectl's output without what differs by nature between the sides (temporary file names, timing). */
function kubectlWords(text: string): string {
  return normalizeGroup(text)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.replace(/"[^"]*differential-[^"]*"/g, '"<file>"').replace(/ \(\d+(\.\d+)?m?s\)$/, ''))
    .join('\n');
}

function kindOf(document: unknown): string | undefined {
  const kind = (document as { kind?: unknown } | undefined)?.kind;
  return typeof kind === 'string' ? kind : undefined;
}

async function kubectl(target: Target, args: string[], manifest: Body | undefined, context: StepContext): Promise<Answer> {
  const { subject } = context;
  const file = join(work, `m${++files}.json`);
  if (manifest) writeFileSync(file, fill(target, manifest, context, args.includes('--server-side')));
  const filled = args.map((a) => a.replaceAll('{file}', file).replaceAll('{resource}', target.resource(subject.plural)).replaceAll('{name}', subject.name));
  const result = await context.t.kubectl(subject.namespace).run(filled);
  return { code: result.code, said: kubectlWords(`${result.stdout}\n${result.stderr}`) };
}

async function request(target: Target, step: Extract<Step, { request: unknown }>['request'], context: StepContext): Promise<Answer> {
  const { subject } = context;
  const base = target.path(subject.namespace, subject.plural, step.collection ? undefined : subject.name);
  const path = `${base}${step.subresource ? `/${step.subresource}` : ''}${step.query ? `?${step.query}` : ''}`;
  const body = step.body === undefined ? undefined : fill(target, step.body, context, step.contentType === 'application/apply-patch+yaml');
  const answer = await context.t.cluster.cp.request(path, { method: step.method, ...(body !== undefined ? { body } : {}), headers: { 'Content-Type': step.contentType ?? 'application/json' } });
  const lines = answer.body.split('\n').filter((line) => line.trim());
  const parsed = lines.map((line) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      return line.slice(0, 200);
    }
  });
  // A watch stream: the events' types and objects' names; else the one document.
  const isEvent = (v: unknown) => typeof v === 'object' && v !== null && 'type' in v && 'object' in v;
  if (step.method === 'GET' && parsed.length && parsed.every(isEvent)) {
    return { code: answer.status, events: (parsed as { type: string; object: { metadata?: { name?: string } } }[]).map((e) => `${e.type} ${e.object.metadata?.name ?? ''}`) };
  }
  const document = lines.length > 1 ? answer.body : parsed[0];
  return { code: answer.status, said: statusOf(document), ...(step.method === 'GET' && !statusOf(document) ? { kind: kindOf(document) } : {}) };
}

/** An interpreter with the official client: Debian's python3-kubernetes lives in the system Python. */
export const PYTHON_CANDIDATES = ['/usr/bin/python3', 'python3'];

export function findPython(): string | undefined {
  return PYTHON_CANDIDATES.find((python) => spawnSync(python, ['-c', 'import kubernetes'], { stdio: 'ignore' }).status === 0);
}

async function python(target: Target, step: Extract<Step, { python: unknown }>, context: StepContext, interpreter: string): Promise<Answer> {
  const { subject } = context;
  const input = JSON.stringify({
    kubeconfig: context.t.cluster.cp.adminKubeconfig,
    op: step.python,
    apiVersion: target.apiVersion,
    kind: subject.kind,
    namespace: subject.namespace,
    plural: subject.plural,
    name: subject.name,
    ...(step.body ? { body: JSON.parse(fill(target, step.body, context, step.python === 'server-side-apply')) as unknown } : {}),
    ...(step.fieldManager ? { fieldManager: step.fieldManager } : {}),
    ...(step.force !== undefined ? { force: step.force } : {}),
  });
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(interpreter, [join(repoRoot(), 'test', 'support', 'differential', 'python-client.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`python client exited ${code}: ${stderr}`))));
    child.stdin.end(input);
  });
  const result = JSON.parse(output) as { code: number; body?: unknown; events?: unknown };
  return { code: result.code, said: statusOf(result.body), ...(result.events ? { events: result.events } : {}) };
}

async function node(target: Target, step: Extract<Step, { node: unknown }>, context: StepContext): Promise<Answer> {
  const config = new KubeConfig();
  config.loadFromFile(context.t.cluster.cp.adminKubeconfig);
  const client = KubernetesObjectApi.makeApiClient(config);
  const body = JSON.parse(fill(target, step.body, context, step.node === 'server-side-apply')) as KubernetesObject;
  body.metadata = { ...body.metadata, namespace: context.subject.namespace };
  try {
    if (step.node === 'replace') await client.replace(body);
    else {
      const strategy = step.node === 'server-side-apply' ? PatchStrategy.ServerSideApply : PatchStrategy.MergePatch;
      await client.patch(body, undefined, undefined, step.fieldManager, step.force, strategy);
    }
    return { code: 200 };
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const parsed = typeof error.body === 'string' ? (JSON.parse(error.body) as unknown) : (error.body as unknown);
    return { code: error.code, said: statusOf(parsed) };
  }
}

export async function runStep(target: Target, step: Step, context: StepContext, interpreter: string | undefined): Promise<Answer> {
  if ('kubectl' in step) return kubectl(target, step.kubectl, step.manifest, context);
  if ('request' in step) return request(target, step.request, context);
  if ('node' in step) return node(target, step, context);
  if (!interpreter) throw new Error('no Python with the kubernetes client');
  return python(target, step, context, interpreter);
}
