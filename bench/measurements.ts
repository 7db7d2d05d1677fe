// Each figure the benchmark reports, measured against a running server and the moto behind it.
import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTagsOfResourceCommand,
  TagResourceCommand,
} from '@aws-sdk/client-dynamodb';
import type { AwsClients } from '../src/aws/clients.js';
import { CLUSTER_TAG } from '../src/aws/metadata-tags.js';
import { resourcesOfCluster } from '../src/aws/tagging.js';
import { forEachConcurrently } from '../src/registry/concurrency.js';
import type { OpenWatch } from '../test/support/watch.js';
import { BENCH_CLUSTER, BENCH_NAMESPACE, createTable, objectName, tableName } from './fixtures.js';
import type { ServerClient } from './server-client.js';
import { summarize, timeEach, type Summary } from './stats.js';

export const COLLECTION = `/apis/service-operator.aws/v1alpha1/namespaces/${BENCH_NAMESPACE}/dynamodbs`;
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

export async function ok(response: Promise<{ status: number; body: string }>): Promise<{ status: number; body: string }> {
  const answer = await response;
  if (answer.status >= 300) throw new Error(`server answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  return answer;
}

export async function listResourceVersion(server: ServerClient): Promise<string> {
  return (JSON.parse((await ok(server.call(`${COLLECTION}?limit=1`))).body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
}

export interface ListFigures {
  json: Summary;
  /** Mean time inside the server, from its request-duration histogram. */
  serverMeanMs: number;
  kubectlTable: Summary;
  awsCallsPerList: number;
}

/** Whole-collection lists as JSON, and as kubectl asks (Table, pages of 500). */
export async function measureLists(server: ServerClient, runs: number): Promise<ListFigures> {
  await timeEach(3, () => ok(server.call(COLLECTION)));
  const before = await server.metrics();
  const json = await timeEach(runs, () => ok(server.call(COLLECTION)));
  const between = await server.metrics();
  const kubectlTable = await timeEach(runs, () => listTablePages(server));
  const after = await server.metrics();
  return {
    json: summarize(json),
    serverMeanMs: ((between.listSeconds.sum - before.listSeconds.sum) / (between.listSeconds.count - before.listSeconds.count)) * 1000,
    kubectlTable: summarize(kubectlTable),
    awsCallsPerList: (after.awsCalls - before.awsCalls) / (2 * runs),
  };
}

/** What a client without the server does for the same list: the tagging pages, then a describe per table. */
export async function measureRawEnumeration(aws: AwsClients, runs: number): Promise<{ latency: Summary; calls: number }> {
  let calls = 0;
  aws.onCall(() => calls++);
  const ctx = { aws, region: 'us-east-1', clusterName: BENCH_CLUSTER, accountId: async () => '', deadline: Date.now() + 600_000 };
  const durations = await timeEach(runs, async () => {
    const arns: string[] = [];
    for await (const resource of resourcesOfCluster(ctx, 'dynamodb:table', BENCH_CLUSTER)) arns.push(resource.arn);
    await forEachConcurrently(arns, 8, async (arn) => {
      await aws.client(DynamoDBClient).send(new DescribeTableCommand({ TableName: arn.slice(arn.indexOf(':table/') + 7) }));
    });
  });
  return { latency: summarize(durations), calls: calls / runs };
}

/** GET by name through the server, against the same reads made directly (what the DynamoDB kind calls). */
export async function measureGets(server: ServerClient, aws: AwsClients, objects: number, runs: number): Promise<{ server: Summary; raw: Summary }> {
  const pick = (i: number) => (i * 7919) % objects;
  const viaServer = await timeEach(runs, (i) => ok(server.call(`${COLLECTION}/${objectName(pick(i))}`)));
  const dynamodb = aws.client(DynamoDBClient);
  const raw = await timeEach(runs, async (i) => {
    const name = tableName(pick(i));
    const table = (await dynamodb.send(new DescribeTableCommand({ TableName: name }))).Table;
    await Promise.all([
      dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: table?.TableArn })),
      dynamodb.send(new DescribeTimeToLiveCommand({ TableName: name })),
      dynamodb.send(new DescribeContinuousBackupsCommand({ TableName: name })),
    ]);
  });
  return { server: summarize(viaServer), raw: summarize(raw) };
}

function labelPatch(server: ServerClient, name: string, value: string) {
  return ok(server.call(`${COLLECTION}/${name}`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { labels: { bench: value } } }) }));
}

/** Waits (polling, bounded) until every watch has at least `count` events; returns when each got its `count`th. */
async function arrivalsOf(watches: OpenWatch[], count: number, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (watches.some((w) => w.arrivals.length < count)) {
    if (Date.now() > deadline) throw new Error(`only ${watches.filter((w) => w.arrivals.length >= count).length} of ${watches.length} watches got event ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return watches.map((w) => w.arrivals[count - 1]);
}

export interface WatchLatency {
  /** PATCH sent → event received, per watcher and write. */
  latency: Summary;
  /** First watcher → last watcher, per write: the fan-out itself. */
  spread: Summary;
}

/** Write through the server → event on watches already open, over `rounds` writes. */
export async function measureInBandWatch(server: ServerClient, watches: OpenWatch[], rounds: number): Promise<WatchLatency> {
  const latencies: number[] = [];
  const spreads: number[] = [];
  const base = watches.map((w) => w.arrivals.length);
  if (new Set(base).size !== 1) throw new Error('watches started out of step');
  for (let round = 1; round <= rounds; round++) {
    const started = performance.now();
    await labelPatch(server, objectName(0), `round-${round}-${Date.now()}`);
    const arrivals = await arrivalsOf(watches, base[0] + round, 30_000);
    latencies.push(...arrivals.map((arrival) => arrival - started));
    spreads.push(Math.max(...arrivals) - Math.min(...arrivals));
  }
  return { latency: summarize(latencies), spread: summarize(spreads) };
}

/** Changes made directly in DynamoDB → the event, found by the resync; one sample per change. */
export async function measureOutOfBand(server: ServerClient, aws: AwsClients, samples: number): Promise<{ tagged: Summary; created: Summary }> {
  const watch = await server.watch(`${COLLECTION}?watch=true&resourceVersion=${await listResourceVersion(server)}`);
  const dynamodb = aws.client(DynamoDBClient);
  const detect = async (change: () => Promise<unknown>, name: string): Promise<number> => {
    const from = watch.events.length;
    const started = performance.now();
    await change();
    const event = await watch.waitFor(`${name} to change`, (e) => e.object.metadata?.name === name, from);
    return watch.arrivals[watch.events.indexOf(event)] - started;
  };
  try {
    const tagged = await timeEachSample(samples, async (i) => {
      const arn = `arn:aws:dynamodb:us-east-1:123456789012:table/${tableName(i + 1)}`;
      return detect(() => dynamodb.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'console-note', Value: `n${Date.now()}` }] })), objectName(i + 1));
    });
    const created = await timeEachSample(samples, async (i) => {
      const name = `out-of-band-${i}`;
      return detect(() => createTable(aws, name, `${BENCH_CLUSTER}.${BENCH_NAMESPACE}.${name}`), name);
    });
    return { tagged: summarize(tagged), created: summarize(created) };
  } finally {
    watch.close();
  }
}

async function timeEachSample(samples: number, sample: (i: number) => Promise<number>): Promise<number[]> {
  const values: number[] = [];
  for (let i = 0; i < samples; i++) values.push(await sample(i));
  return values;
}

/**
 * AWS calls per full resync round while nothing changes (every kind is resynced; the others own
 * nothing here, so they add one listing call each), by operation, averaged over `resyncs` rounds.
 */
export async function measureIdleResync(server: ServerClient, resyncs: number): Promise<{ perResync: number; seconds: number; byOperation: Record<string, number> }> {
  const settled = async (from: number) => {
    for (;;) {
      const now = await server.metrics();
      if (now.fullResyncs.count >= from) return now;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const before = await settled((await server.metrics()).fullResyncs.count + 1);
  const after = await settled(before.fullResyncs.count + resyncs);
  const runs = after.fullResyncs.count - before.fullResyncs.count;
  const byOperation = Object.fromEntries(
    Object.entries(after.awsCallsBy)
      .map(([op, n]) => [op, (n - (before.awsCallsBy[op] ?? 0)) / runs] as const)
      .filter(([, n]) => n > 0),
  );
  return { perResync: (after.awsCalls - before.awsCalls) / runs, seconds: (after.fullResyncs.sum - before.fullResyncs.sum) / runs, byOperation };
}

/** Opens `count` watches of the collection from its current version, `batch` at a time. */
export async function openWatches(server: ServerClient, count: number, batch = 50): Promise<OpenWatch[]> {
  const from = await listResourceVersion(server);
  const watches: OpenWatch[] = [];
  for (let i = 0; i < count; i += batch) {
    watches.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => server.watch(`${COLLECTION}?watch=true&resourceVersion=${from}`, false)))));
  }
  if (watches.some((w) => w.status !== 200)) throw new Error('a watch was refused');
  return watches;
}

/** Tables of this cluster as the tagging API lists them (to check the fixture). */
export async function countOwnedTables(aws: AwsClients): Promise<number> {
  let count = 0;
  const ctx = { aws, region: 'us-east-1', clusterName: BENCH_CLUSTER, accountId: async () => '', deadline: Date.now() + 60_000 };
  for await (const resource of resourcesOfCluster(ctx, 'dynamodb:table', BENCH_CLUSTER)) if (resource.tags[CLUSTER_TAG] === BENCH_CLUSTER) count++;
  return count;
}

/** Whole-collection lists as JSON and as kubectl asks (Table, pages of 500), from any server (ours or kube-apiserver). */
export async function measureListShapes(server: ServerClient, runs: number): Promise<{ json: Summary; table: Summary }> {
  await timeEach(3, () => ok(server.call(COLLECTION)));
  const json = await timeEach(runs, () => ok(server.call(COLLECTION)));
  const table = await timeEach(runs, () => listTablePages(server));
  return { json: summarize(json), table: summarize(table) };
}

async function listTablePages(server: ServerClient): Promise<void> {
  let token = '';
  do {
    const page = JSON.parse((await ok(server.call(`${COLLECTION}?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`, { headers: { Accept: TABLE_ACCEPT } }))).body) as { metadata: { continue?: string } };
    token = page.metadata.continue ?? '';
  } while (token);
}
