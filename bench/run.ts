// `npm run bench [-- --objects N --watchers W --resync-period S --large L --crds C]`: creates N
// DynamoDB tables (default 1,000) in a local moto_server and measures, in one run on this machine and
// side by side where there is a counterpart: our server against kube-apiserver + etcd serving the same
// objects from a CRD with our schema; drift detection with change events, with the resync only, and
// the peers' polling policies; `kubectl apply` of 100 ECR repositories and of 100 queues; and our
// server at L objects (default 10,000; 0 skips it). It prints Markdown tables (docs/performance.md).
// Figures are measured here, never asserted in tests.
import { execFile } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { KubeObject } from '../src/api/types.js';
import type { AwsClients } from '../src/aws/clients.js';
import { LONG_POLL_SECONDS } from '../src/aws/change-events/queue.js';
import { startMoto } from '../src/aws/moto.js';
import { awsClients } from '../test/support/aws.js';
import { startServer } from '../test/support/processes.js';
import { measureApply } from './apply.js';
import { hours, measureEventDrift, measureIdleCalls, peerPolicies } from './drift.js';
import { BENCH_CLUSTER, createTables } from './fixtures.js';
import { memoryPerCrd, startReferenceCluster } from './kube-apiserver.js';
import { COLLECTION, countOwnedTables, measureGets, measureIdleResync, measureInBandWatch, measureListShapes, measureLists, measureOutOfBand, measureRawEnumeration, ok, openWatches } from './measurements.js';
import { ServerClient } from './server-client.js';
import { ms, p50p99, type Summary } from './stats.js';

const { values } = parseArgs({ options: { objects: { type: 'string' }, watchers: { type: 'string' }, 'resync-period': { type: 'string' }, large: { type: 'string' }, crds: { type: 'string' } } });
const OBJECTS = Number(values.objects ?? 1000);
const WATCHERS = Number(values.watchers ?? 1000);
const PERIOD = Number(values['resync-period'] ?? 5);
const LARGE = Number(values.large ?? 10_000);
const CRDS = Number(values.crds ?? 20);
const READ_BUDGET = 100;
/** The server's defaults: the resync period without and with change events. */
const DEFAULT_PERIOD = 30;
const EVENTS_PERIOD = 1800;

type Row = string[];
const tables: { title: string; header: Row; rows: Row[] }[] = [];
function table(title: string, header: Row): (...cells: Row) => void {
  const entry = { title, header, rows: [] as Row[] };
  tables.push(entry);
  return (...cells) => {
    entry.rows.push(cells);
    process.stderr.write(`  ${cells.join(' | ')}\n`);
  };
}
const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const ratio = (theirs: number, ours: number) => `${(theirs / ours).toFixed(2)}×`;
const count = (n: number) => Math.round(n).toLocaleString('en-US');

const ours = table('Our server', ['Metric', 'Measured', 'Target']);

/** Runs the memory probe in its own process (it needs --expose-gc), asynchronously so moto's log pipe keeps draining. */
async function memoryProbe(endpoint: string): Promise<{ heapPerObject: number; rssPerObject: number; objects: number }> {
  const probe = join(process.cwd(), 'dist', 'bench', 'memory-probe.js');
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', probe, endpoint, String(OBJECTS)], { timeout: 600_000 });
  return JSON.parse(stdout) as Awaited<ReturnType<typeof memoryProbe>>;
}

async function withServer<T>(awsEndpoint: string, args: string[], task: (server: ServerClient, kubeconfig: string) => Promise<T>): Promise<T> {
  const running = await startServer({ awsEndpoint, clusterName: BENCH_CLUSTER, extraArgs: ['--resync-read-budget', String(READ_BUDGET), ...args], readyTimeoutMs: 1_800_000 });
  try {
    return await task(new ServerClient(running), running.kubeconfig);
  } finally {
    await running.stop();
  }
}

interface Serving {
  json: Summary;
  table: Summary;
  inBand: Summary;
  fanOut: Summary;
  residentBytes: number;
  readCalls: number;
  objects: KubeObject[];
  /** The first read of the account: seconds and AWS calls. */
  startup: { seconds: number; calls: number };
}

/** Lists, gets and watches, against a server that is not resyncing meanwhile. */
async function measureServing(server: ServerClient, aws: AwsClients, startup: Serving['startup']): Promise<Serving> {
  const lists = await measureLists(server, 20);
  ours(`List ${OBJECTS} objects, JSON, one request (client)`, p50p99(lists.json), '< 100 ms server time');
  ours(`List ${OBJECTS} objects: time inside the server (mean)`, ms(lists.serverMeanMs), '< 100 ms');
  ours(`List ${OBJECTS} objects as kubectl get (Table, limit=500 pages)`, p50p99(lists.kubectlTable), '');
  ours('AWS calls per list', lists.awsCallsPerList.toFixed(2), '≈ pages (1 per 100 objects)');

  const raw = await measureRawEnumeration(aws, 3);
  ours('Raw SDK enumeration it replaces (GetResources pages + DescribeTable each, 8 in parallel)', `${p50p99(raw.latency)}; ${raw.calls.toFixed(0)} AWS calls`, '');

  const before = await server.metrics();
  const gets = await measureGets(server, aws, OBJECTS, 50);
  const readCalls = ((await server.metrics()).awsCalls - before.awsCalls) / 50;
  ours('Get by name through the server (reads AWS live)', `${p50p99(gets.server)}; ${readCalls.toFixed(1)} AWS calls`, 'a few ms over raw');
  ours('Same reads made directly with the SDK (4 calls)', `${p50p99(gets.raw)}; overhead p50 ${ms(gets.server.p50 - gets.raw.p50)}`, '');

  const one = await openWatches(server, 1);
  const inBand = (await measureInBandWatch(server, one, 20)).latency;
  ours('In-band watch latency (PATCH sent → event received)', p50p99(inBand), '< 100 ms');
  one.forEach((w) => w.close());

  const idle = await server.metrics();
  const started = performance.now();
  const watches = await openWatches(server, WATCHERS);
  const opened = seconds(started);
  const fanOut = await measureInBandWatch(server, watches, 5);
  const withWatches = await server.metrics();
  ours(`Fan-out: one change to ${WATCHERS} open watches (PATCH sent → each watcher)`, `${p50p99(fanOut.latency)}, max ${ms(fanOut.latency.max)}`, '< 100 ms');
  ours(`Fan-out: first to last of the ${WATCHERS} watchers, per change`, `p50 ${ms(fanOut.spread.p50)}, max ${ms(fanOut.spread.max)}`, '');
  ours(`${WATCHERS} watches: time to open; server memory`, `${opened} s; RSS ${mib(idle.residentBytes)} → ${mib(withWatches.residentBytes)}`, '');
  watches.forEach((w) => w.close());
  ours(`Server resident memory with ${OBJECTS} objects cached`, mib(idle.residentBytes), '');
  const objects = (JSON.parse((await ok(server.call(COLLECTION))).body) as { items: KubeObject[] }).items;
  return { json: lists.json, table: lists.kubectlTable, inBand, fanOut: fanOut.latency, residentBytes: idle.residentBytes, readCalls, objects, startup };
}

/** kube-apiserver + etcd with the same objects in a CRD of our schema, measured the same way. */
async function measureReference(serving: Serving): Promise<void> {
  const started = performance.now();
  const reference = await startReferenceCluster(serving.objects);
  const side = table(`Side by side: kube-apiserver + etcd serving ${OBJECTS} objects of a CRD with our DynamoDB schema`, ['Metric', 'kube-apiserver + etcd', 'ours', 'kube-apiserver ÷ ours']);
  try {
    process.stderr.write(`reference cluster up with ${OBJECTS} objects in ${seconds(started)} s\n`);
    const lists = await measureListShapes(reference.client, 20);
    side(`List ${OBJECTS}, JSON (p50 / p99)`, `${ms(lists.json.p50)} / ${ms(lists.json.p99)}`, `${ms(serving.json.p50)} / ${ms(serving.json.p99)}`, ratio(lists.json.p50, serving.json.p50));
    side(`List ${OBJECTS} as kubectl get (Table, limit=500) (p50 / p99)`, `${ms(lists.table.p50)} / ${ms(lists.table.p99)}`, `${ms(serving.table.p50)} / ${ms(serving.table.p99)}`, ratio(lists.table.p50, serving.table.p50));
    const one = await openWatches(reference.client, 1);
    const inBand = (await measureInBandWatch(reference.client, one, 20)).latency;
    one.forEach((w) => w.close());
    side('Watch latency, one watcher (PATCH sent → event) (p50 / p99)', `${ms(inBand.p50)} / ${ms(inBand.p99)}`, `${ms(serving.inBand.p50)} / ${ms(serving.inBand.p99)}`, ratio(inBand.p50, serving.inBand.p50));
    const watches = await openWatches(reference.client, WATCHERS);
    const fanOut = (await measureInBandWatch(reference.client, watches, 5)).latency;
    watches.forEach((w) => w.close());
    side(`Fan-out to ${WATCHERS} watchers (p50 / p99)`, `${ms(fanOut.p50)} / ${ms(fanOut.p99)}`, `${ms(serving.fanOut.p50)} / ${ms(serving.fanOut.p99)}`, ratio(fanOut.p50, serving.fanOut.p50));
    const rss = reference.rss();
    side(`Resident memory with ${OBJECTS} objects`, `kube-apiserver ${mib(rss.apiserver)} + etcd ${mib(rss.etcd)} = ${mib(rss.apiserver + rss.etcd)}`, mib(serving.residentBytes), ratio(rss.apiserver + rss.etcd, serving.residentBytes));
    const perCrd = await memoryPerCrd(reference, CRDS);
    side(`kube-apiserver memory per CRD installed (${CRDS} more installed)`, `${(perCrd / 2 ** 20).toFixed(1)} MiB`, '0 (no CRDs: one APIService for all kinds)', '');
  } finally {
    await reference.stop();
  }
}

interface ResyncCost {
  perRound: number;
}

/** A short resync period: what a round costs and how soon it finds changes. */
async function measureResync(server: ServerClient, aws: AwsClients): Promise<ResyncCost> {
  const idle = await measureIdleResync(server, 3);
  const operations = Object.entries(idle.byOperation).map(([op, n]) => `${op.replace('Command', '')} ${n.toFixed(0)}`);
  ours('AWS calls per full resync round, all kinds (nothing changed)', `${idle.perResync.toFixed(0)} (${operations.join(', ')}); DynamoDB's took ${idle.seconds.toFixed(2)} s`, `listing pages + ${READ_BUDGET} reads, not ${OBJECTS} reads`);
  const outOfBand = await measureOutOfBand(server, aws, 3);
  ours(`Out-of-band tag change → event (resync every ${PERIOD} s, no change events)`, `mean ${ms(outOfBand.tagged.mean)}, max ${ms(outOfBand.tagged.max)}`, '≤ resync period');
  ours(`Out-of-band creation → ADDED (resync every ${PERIOD} s, no change events)`, `mean ${ms(outOfBand.created.mean)}, max ${ms(outOfBand.created.max)}`, '≤ resync period');
  return { perRound: idle.perResync };
}

/** Drift with change events on (the default 30 min resync), and the table of policies. */
async function measureDrift(endpoint: string, aws: AwsClients, resync: ResyncCost, readCalls: number): Promise<void> {
  const window = 3 * LONG_POLL_SECONDS + 5;
  const { idle, drift } = await withServer(endpoint, ['--change-events', 'true'], async (server) => {
    // The queue is set up once the first read is done; let its first poll start.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idle = await measureIdleCalls(server, window);
    // Tables the earlier phases left alone (they changed the first few).
    const drift = await measureEventDrift(server, aws, 5, Math.floor(OBJECTS / 2));
    return { idle, drift };
  });
  ours(`Out-of-band tagged change → watcher, change events on (event put on the bus → MODIFIED)`, `${p50p99(drift.tagged)}, max ${ms(drift.tagged.max)}`, '< 5 s');
  ours(`Out-of-band change tags do not show (capacity) → watcher, change events on`, `${p50p99(drift.untagged)}, max ${ms(drift.untagged.max)}`, '< 5 s');
  const periods = Math.ceil(OBJECTS / READ_BUDGET);
  const policies = table(`Drift detection at ${OBJECTS} objects, idle: AWS calls per hour and worst-case staleness`, ['Policy', 'AWS calls / hour', 'tagged change or deletion', 'change tags do not show']);
  const eventsPerHour = idle.perHour + (3600 / EVENTS_PERIOD) * resync.perRound;
  policies(
    `Ours, change events on (queue long poll measured over ${window} s: ${count(idle.perHour)}/h; + resync every ${EVENTS_PERIOD / 60} min: ${count((3600 / EVENTS_PERIOD) * resync.perRound)}/h)`,
    count(eventsPerHour),
    `${ms(drift.tagged.max)} (measured max; lost events: ${hours(EVENTS_PERIOD)})`,
    `${ms(drift.untagged.max)} (measured max; lost events: ${hours(periods * EVENTS_PERIOD)})`,
  );
  policies(`Ours, resync only (every ${DEFAULT_PERIOD} s, ${count(resync.perRound)} calls per round measured)`, count((3600 / DEFAULT_PERIOD) * resync.perRound), hours(DEFAULT_PERIOD), `${hours(periods * DEFAULT_PERIOD)} (ceil(${OBJECTS}/${READ_BUDGET}) rounds)`);
  for (const peer of peerPolicies(OBJECTS, readCalls)) policies(`${peer.name}, ${readCalls.toFixed(0)} calls per read as ours`, count(peer.callsPerHour), peer.tagged, peer.untagged);
}

async function measureApplies(endpoint: string): Promise<void> {
  const applies = table('kubectl apply of 100 objects → all Ready (Crossplane: 100 ECR repositories took ~19 min, crossplane/upjet#116)', ['Objects', 'kubectl apply returned', 'all Ready (kubectl wait returned)']);
  await withServer(endpoint, ['--resync-period', '3600'], async (_server, kubeconfig) => {
    for (const [kind, plural] of [['ECRRepository', 'ecrrepositories'], ['SQSQueue', 'sqsqueues']]) {
      const figures = await measureApply(kubeconfig, kind, plural, 100);
      applies(`100 ${kind}`, `${figures.applySeconds.toFixed(1)} s`, `${figures.readySeconds.toFixed(1)} s`);
    }
  });
}

/** Our server at LARGE objects, in a moto of its own: does anything grow faster than the objects? */
async function measureLarge(small: Serving, smallResync: ResyncCost): Promise<void> {
  const moto = await startMoto();
  const aws = awsClients(moto.endpoint);
  const large = table(`Scale: ${count(LARGE)} objects against ${count(OBJECTS)} (budget lifted: --aws-call-budget 0, so the server's own costs show)`, ['Metric', `${count(OBJECTS)} objects`, `${count(LARGE)} objects`, 'growth ÷ objects growth']);
  try {
    let started = performance.now();
    await createTables(aws, LARGE);
    process.stderr.write(`created ${LARGE} tables in moto in ${seconds(started)} s\n`);
    started = performance.now();
    await withServer(moto.endpoint, ['--aws-call-budget', '0', '--resync-period', '60'], async (server) => {
      const startup = (performance.now() - started) / 1000;
      const metrics = await server.metrics();
      const growth = LARGE / OBJECTS;
      large('Start-up: first read (s; AWS calls)', `${small.startup.seconds.toFixed(0)} s; ${count(small.startup.calls)} calls (default budget)`, `${startup.toFixed(0)} s; ${count(metrics.awsCalls)} calls (${(metrics.awsCalls / LARGE).toFixed(1)} per object)`, (startup / small.startup.seconds / growth).toFixed(2));
      const lists = await measureListShapes(server, 5);
      large('List, JSON (p50)', ms(small.json.p50), ms(lists.json.p50), (lists.json.p50 / small.json.p50 / growth).toFixed(2));
      large('List as kubectl get (Table, limit=500) (p50)', ms(small.table.p50), ms(lists.table.p50), (lists.table.p50 / small.table.p50 / growth).toFixed(2));
      large('Server resident memory', mib(small.residentBytes), mib(metrics.residentBytes), `${kb((metrics.residentBytes - small.residentBytes) / (LARGE - OBJECTS))} per added object`);
      const round = await measureIdleResync(server, 1);
      large('AWS calls per full resync round (nothing changed)', count(smallResync.perRound), `${count(round.perResync)} (DynamoDB's took ${round.seconds.toFixed(1)} s)`, (round.perResync / smallResync.perRound / growth).toFixed(2));
    });
  } finally {
    aws.destroy();
    await moto.stop();
  }
}

async function main(): Promise<void> {
  const began = performance.now();
  const moto = await startMoto();
  const aws = awsClients(moto.endpoint);
  let small: { serving: Serving; resync: ResyncCost };
  try {
    let started = performance.now();
    await createTables(aws, OBJECTS);
    process.stderr.write(`created ${OBJECTS} tables in moto in ${seconds(started)} s (${await countOwnedTables(aws)} listed by the tagging API)\n`);
    // Phase 1: a resync period longer than the run, so every AWS call counted is the request's own.
    started = performance.now();
    const serving = await withServer(moto.endpoint, ['--resync-period', '3600'], async (server) => {
      const startup = { seconds: (performance.now() - started) / 1000, calls: (await server.metrics()).awsCalls };
      ours('Start-up: first read of the account (default call budget, 6,000/min)', `${OBJECTS} objects in ${startup.seconds.toFixed(1)} s, ${startup.calls} AWS calls (${(startup.calls / OBJECTS).toFixed(1)} per object)`, 'once per start');
      return measureServing(server, aws, startup);
    });
    await measureReference(serving);
    // Phase 2: a short resync period, to see what it costs and how soon it finds changes.
    const resync = await withServer(moto.endpoint, ['--resync-period', String(PERIOD)], (server) => measureResync(server, aws));
    await measureDrift(moto.endpoint, aws, resync, serving.readCalls);
    const memory = await memoryProbe(moto.endpoint);
    ours('Cache memory per object (heap, after GC)', kb(memory.heapPerObject), '< 5 KB');
    ours('Cache memory per object (RSS growth)', kb(memory.rssPerObject), '< 5 KB');
    await measureApplies(moto.endpoint);
    small = { serving, resync };
  } finally {
    aws.destroy();
    await moto.stop();
  }
  if (LARGE > 0) await measureLarge(small.serving, small.resync);
  const cpu = cpus();
  process.stdout.write(
    `\nBenchmark ${new Date().toISOString().slice(0, 10)} (${seconds(began)} s): ${OBJECTS} objects, ${WATCHERS} watchers; ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, moto_server on loopback.\n` +
      tables.map((t) => `\n### ${t.title}\n\n| ${t.header.join(' | ')} |\n|${t.header.map(() => '---').join('|')}|\n${t.rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`).join(''),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
