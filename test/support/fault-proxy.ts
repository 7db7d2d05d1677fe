// A fault-injecting HTTP proxy between the server and moto_server, for the fault suite (test/fault/).
// The server is pointed at the proxy (AWS_ENDPOINT_URL); the proxy names every AWS call it forwards
// (service and operation, read from the request exactly as AWS routes it) and, where a rule says so,
// answers in AWS's own error format instead, holds the call, resets the connection, or forwards the
// call and then drops the answer (a lost response). Calls are recorded, so a test can tell whether a
// request made any AWS change. Loopback only; nothing here talks to real AWS.
//
// What it does not do: it does not sign or check signatures (moto ignores them), and it only knows
// the protocols the server's SDK clients use: JSON with X-Amz-Target (DynamoDB, SQS, SSM, ECR, the
// tagging API), query (SNS, STS, ElastiCache, CloudFormation) and S3's REST-XML.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SeededRandom } from './random.js';

export interface AwsCall {
  /** The service as its signing name says: dynamodb, sqs, s3, sns, ssm, ecr, tagging, sts. */
  service: string;
  /** The API operation, e.g. CreateTable, PutBucketTagging, HeadBucket. */
  operation: string;
  /** Whether the operation can change anything in AWS (everything but Get/List/Describe/Head). */
  mutating: boolean;
  /** What the call is about, when the request names it: a table, queue URL, parameter, bucket, topic ARN... */
  resource?: string;
  /** What the proxy did with it. */
  outcome?: string;
  /** moto's HTTP status, for a call forwarded to it. */
  status?: number;
}

export type Fault =
  /** Answer as AWS answers an error (its code, status and protocol format), without reaching moto. */
  | { kind: 'error'; status: number; code: string; message?: string }
  /** Never answer (the connection stays open until the proxy stops). */
  | { kind: 'hang' }
  /** Drop the connection without an answer. */
  | { kind: 'reset' }
  /** Let moto carry out the call, then drop the connection instead of answering: the change happened, the caller never heard. */
  | { kind: 'lose-response' }
  /** Run `action` (e.g. kill the server), then hold the call like `hang`. */
  | { kind: 'intercept'; action: (call: AwsCall) => void };

export interface FaultRule {
  matches(call: AwsCall): boolean;
  fault: Fault;
  /** How many matching calls it applies to (default: all). */
  times?: number;
  /** The share of matching calls it applies to, drawn from the proxy's seeded generator (default 1). */
  probability?: number;
}

export const THROTTLED: Fault = { kind: 'error', status: 400, code: 'ThrottlingException', message: 'Rate exceeded' };
export const UNAVAILABLE: Fault = { kind: 'error', status: 503, code: 'ServiceUnavailable', message: 'Service is unavailable' };

/** A rule matcher for one operation (and optionally one service). */
export function operation(name: string, service?: string): (call: AwsCall) => boolean {
  return (call) => call.operation === name && (service === undefined || call.service === service);
}

const JSON_TARGETS: Record<string, string> = {
  DynamoDB_20120810: 'dynamodb',
  AmazonSQS: 'sqs',
  AmazonSSM: 'ssm',
  AmazonEC2ContainerRegistry_V20150921: 'ecr',
  ResourceGroupsTaggingAPI_20170126: 'tagging',
};

/** S3 sub-resources whose operation is not "<Verb>Bucket<SubResource>". */
const S3_OPERATIONS: Record<string, string> = { publicAccessBlock: 'PublicAccessBlock', lifecycle: 'BucketLifecycleConfiguration', policyStatus: 'BucketPolicyStatus' };
const S3_VERBS: Record<string, string> = { GET: 'Get', PUT: 'Put', DELETE: 'Delete', HEAD: 'Head', POST: 'Post' };

function signingService(req: IncomingMessage): string {
  return /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? 'unknown';
}

function s3Operation(method: string, url: URL): string {
  const [bucket, ...key] = url.pathname.split('/').filter(Boolean);
  const verb = S3_VERBS[method] ?? method;
  const sub = [...url.searchParams.keys()].find((name) => !['x-id', 'list-type', 'prefix', 'versionId', 'uploads'].includes(name));
  if (key.length) return sub ? `${verb}Object${sub[0].toUpperCase()}${sub.slice(1)}` : `${verb}Object`;
  if (!bucket) return 'ListBuckets';
  if (sub) return `${verb}${S3_OPERATIONS[sub] ?? `Bucket${sub[0].toUpperCase()}${sub.slice(1)}`}`;
  return { PUT: 'CreateBucket', GET: 'ListObjects', HEAD: 'HeadBucket', DELETE: 'DeleteBucket' }[method] ?? `${verb}Bucket`;
}

/** Service and operation, as AWS would route the request. */
export function describeCall(req: IncomingMessage, body: Buffer): AwsCall {
  const target = req.headers['x-amz-target'];
  const method = req.method ?? 'GET';
  let service = signingService(req);
  let name: string;
  if (typeof target === 'string') {
    const [prefix, op] = target.split('.');
    service = JSON_TARGETS[prefix] ?? service;
    name = op ?? target;
  } else if (service === 's3') {
    name = s3Operation(method, new URL(req.url ?? '/', 'http://proxy'));
  } else {
    name = new URLSearchParams(body.toString('utf8')).get('Action') ?? new URL(req.url ?? '/', 'http://proxy').searchParams.get('Action') ?? 'Unknown';
  }
  const mutating = service === 's3' ? method !== 'GET' && method !== 'HEAD' : !/^(Get|List|Describe|Head|Validate)/.test(name);
  const resource = service === 's3' ? s3Resource(new URL(req.url ?? '/', 'http://proxy')) : resourceOf(body, typeof target === 'string');
  return { service, operation: name, mutating, ...(resource ? { resource } : {}) };
}

/** An S3 call's bucket, or `<bucket>/<key>` for an object's. */
function s3Resource(url: URL): string | undefined {
  const [bucket, ...key] = url.pathname.split('/').filter(Boolean);
  if (!bucket) return undefined;
  return key.length ? `${bucket}/${decodeURIComponent(key.join('/'))}` : bucket;
}

/** The request fields that name the resource of a call, in the order they are looked for. */
const RESOURCE_FIELDS = ['QueueUrl', 'QueueName', 'TableName', 'Name', 'ResourceId', 'repositoryName', 'ResourceArn', 'resourceArn', 'TopicArn', 'SubscriptionArn', 'CacheClusterId', 'ResourceName', 'StackName', 'RoleArn'];

function resourceOf(body: Buffer, json: boolean): string | undefined {
  let fields: Record<string, unknown>;
  try {
    fields = json ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  } catch {
    return undefined;
  }
  const value = RESOURCE_FIELDS.map((field) => fields[field]).find((v) => typeof v === 'string');
  return value;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] as string);
}

/** An error answer in the calling protocol's format. */
function sendAwsError(req: IncomingMessage, res: ServerResponse, call: AwsCall, fault: Extract<Fault, { kind: 'error' }>): void {
  const message = fault.message ?? fault.code;
  if (req.headers['x-amz-target']) {
    res.writeHead(fault.status, { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-ErrorType': fault.code, 'x-amzn-RequestId': 'fault-proxy' });
    res.end(JSON.stringify({ __type: fault.code, message }));
  } else if (call.service === 's3') {
    res.writeHead(fault.status, { 'Content-Type': 'application/xml', 'x-amz-request-id': 'fault-proxy' });
    // HEAD answers carry no body; the caller sees only the status.
    res.end(req.method === 'HEAD' ? undefined : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>${escapeXml(message)}</Message></Error>`);
  } else {
    res.writeHead(fault.status, { 'Content-Type': 'text/xml' });
    res.end(`<ErrorResponse><Error><Type>${fault.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${fault.code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`);
  }
}

export class FaultProxy {
  readonly calls: AwsCall[] = [];
  url = '';
  private server!: Server;
  private readonly rules: { rule: FaultRule; applied: number }[] = [];
  private readonly sockets = new Set<Socket>();
  private unreachable = false;
  readonly random: SeededRandom;

  constructor(
    private readonly upstream: string,
    seed = 1,
  ) {
    this.random = new SeededRandom(seed);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Adds a rule (applied before those added earlier); returns a function that removes it. */
  add(rule: FaultRule): () => void {
    const entry = { rule, applied: 0 };
    this.rules.unshift(entry);
    return () => {
      const at = this.rules.indexOf(entry);
      if (at >= 0) this.rules.splice(at, 1);
    };
  }

  clear(): void {
    this.rules.length = 0;
    this.unreachable = false;
  }

  /** AWS unreachable: every connection is dropped at once, and open ones are cut. */
  down(): void {
    this.unreachable = true;
    for (const socket of this.sockets) socket.destroy();
  }

  up(): void {
    this.unreachable = false;
  }

  /** How many calls have changed AWS so far: mutating ones moto carried out (a mark to compare with later). */
  mutations(): number {
    return this.changes(0).length;
  }

  /** The calls since `mark` that changed AWS: mutating ones moto carried out. */
  changes(mark: number): AwsCall[] {
    return this.calls.slice(mark).filter((call) => call.mutating && call.outcome === 'forwarded' && (call.status ?? 0) < 300);
  }

  /** The calls made since `mark` (an index into `calls`). */
  since(mark: number): AwsCall[] {
    return this.calls.slice(mark);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private choose(call: AwsCall): Fault | undefined {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (!rule.matches(call) || (rule.times !== undefined && entry.applied >= rule.times)) continue;
      if (rule.probability !== undefined && !this.random.chance(rule.probability)) continue;
      entry.applied++;
      return rule.fault;
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const call = describeCall(req, body);
    this.calls.push(call);
    if (this.unreachable) {
      call.outcome = 'unreachable';
      req.socket.destroy();
      return;
    }
    const fault = this.choose(call);
    call.outcome = fault?.kind ?? 'forwarded';
    if (fault?.kind === 'error') return sendAwsError(req, res, call, fault);
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'intercept') return fault.action(call);
    let answer: Awaited<ReturnType<FaultProxy['forward']>>;
    try {
      answer = await this.forward(req, body);
    } catch {
      // moto itself is gone (the test is ending): the caller sees a dropped connection.
      call.outcome = 'upstream failed';
      req.socket.destroy();
      return;
    }
    call.status = answer.status;
    if (fault?.kind === 'lose-response') {
      call.outcome = 'forwarded';
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
    const target = new URL(req.url ?? '/', this.upstream);
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(target, { method: req.method, headers: req.headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () => {
          const headers = Object.fromEntries(Object.entries(answer.headers).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined && entry[0] !== 'transfer-encoding'));
          resolve({ status: answer.statusCode ?? 502, headers, body: Buffer.concat(parts) });
        });
        answer.on('error', reject);
      });
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}
