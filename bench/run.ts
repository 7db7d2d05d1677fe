// `npm run bench [-- --objects N --watchers W --resync-period S]`: creates N DynamoDB tables (default
// 1,000) in a local moto_server, starts the server against it, and prints, as a Markdown table, what
// BRIEF §6 sets targets for. Figures are measured here, never asserted in tests.
import { execFile } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { AwsClients } from '../src/aws/clients.js';
import { startMoto } from '../src/aws/moto.js';
import { awsClients } from '../test/support/aws.js';
import { startServer } from '../test/support/processes.js';
import { BENCH_CLUSTER, createTables } from './fixtures.js';
import { countOwnedTables, measureGets, measureIdleResync, measureInBandWatch, measureLists, measureOutOfBand, measureRawEnumeration, openWatches } from './measurements.js';
import { ServerClient } from './server-client.js';
import { ms, p50p99 } from './stats.js';

const { values } = parseArgs({ options: { objects: { type: 'string' }, watchers: { type: 'string' }, 'resync-period': { type: 'string' } } });
const OBJECTS = Number(values.objects ?? 1000);
const WATCHERS = Number(values.watchers ?? 1000);
const PERIOD = Number(values['resync-period'] ?? 5);
const READ_BUDGET = 100;

const rows: [string, string, string][] = [];
const row = (metric: string, measured: string, target = '') => {
  rows.push([metric, measured, target]);
  process.stderr.write(`  ${metric}: ${measured}\n`);
};
const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;

/**
 * Runs the memory probe in its own process (it needs --expose-gc). Asynchronously: blocking this
 * process would stop it draining moto_server's log pipe, and moto would stall once that pipe is full.
 */
async function memoryProbe(endpoint: string): Promise<{ heapPerObject: number; rssPerObject: number; objects: number }> {
  const probe = join(process.cwd(), 'dist', 'bench', 'memory-probe.js');
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', probe, endpoint, String(OBJECTS)], { timeout: 600_000 });
  return JSON.parse(stdout) as Awaited<ReturnType<typeof memoryProbe>>;
}

async function withServer(awsEndpoint: string, resyncSeconds: number, task: (server: ServerClient) => Promise<void>): Promise<void> {
  const running = await startServer({ awsEndpoint, clusterName: BENCH_CLUSTER, extraArgs: ['--resync-period', String(resyncSeconds), '--resync-read-budget', String(READ_BUDGET)] });
  try {
    await task(new ServerClient(running));
  } finally {
    await running.stop();
  }
}

/** Lists, gets and watches, against a server that is not resyncing meanwhile. */
async function measureServing(server: ServerClient, aws: AwsClients): Promise<void> {
  const lists = await measureLists(server, 20);
  row(`List ${OBJECTS} objects, JSON, one request (client)`, p50p99(lists.json), '< 100 ms server time');
  row(`List ${OBJECTS} objects: time inside the server (mean)`, ms(lists.serverMeanMs), '< 100 ms');
  row(`List ${OBJECTS} objects as kubectl get (Table, limit=500 pages)`, p50p99(lists.kubectlTable));
  row('AWS calls per list', lists.awsCallsPerList.toFixed(2), '≈ pages (1 per 100 objects)');

  const raw = await measureRawEnumeration(aws, 3);
  row('Raw SDK enumeration it replaces (GetResources pages + DescribeTable each, 8 in parallel)', `${p50p99(raw.latency)}; ${raw.calls.toFixed(0)} AWS calls`);

  const gets = await measureGets(server, aws, OBJECTS, 50);
  row('Get by name through the server (reads AWS live)', p50p99(gets.server), 'a few ms over raw');
  row('Same reads made directly with the SDK (4 calls)', `${p50p99(gets.raw)}; overhead p50 ${ms(gets.server.p50 - gets.raw.p50)}`);

  const one = await openWatches(server, 1);
  row('In-band watch latency (PATCH sent → event received)', p50p99((await measureInBandWatch(server, one, 20)).latency), '< 100 ms');
  one.forEach((w) => w.close());

  const before = await server.metrics();
  const started = performance.now();
  const watches = await openWatches(server, WATCHERS);
  const opened = seconds(started);
  const fanOut = await measureInBandWatch(server, watches, 5);
  const withWatches = await server.metrics();
  row(`Fan-out: one change to ${WATCHERS} open watches (PATCH sent → each watcher)`, `${p50p99(fanOut.latency)}, max ${ms(fanOut.latency.max)}`, '< 100 ms');
  row(`Fan-out: first to last of the ${WATCHERS} watchers, per change`, `p50 ${ms(fanOut.spread.p50)}, max ${ms(fanOut.spread.max)}`);
  row(`${WATCHERS} watches: time to open; server memory`, `${opened} s; RSS ${(before.residentBytes / 2 ** 20).toFixed(0)} → ${(withWatches.residentBytes / 2 ** 20).toFixed(0)} MiB`);
  watches.forEach((w) => w.close());
  row(`Server resident memory with ${OBJECTS} objects cached`, `${(before.residentBytes / 2 ** 20).toFixed(0)} MiB`);
}

async function main(): Promise<void> {
  const moto = await startMoto();
  const aws = awsClients(moto.endpoint);
  try {
    let started = performance.now();
    await createTables(aws, OBJECTS);
    process.stderr.write(`created ${OBJECTS} tables in moto in ${seconds(started)} s (${await countOwnedTables(aws)} listed by the tagging API)\n`);

    // Phase 1: a resync period longer than the run, so every AWS call counted is the request's own.
    started = performance.now();
    await withServer(moto.endpoint, 3600, async (server) => {
      const startup = await server.metrics();
      row('Start-up: first read of the account', `${OBJECTS} objects in ${seconds(started)} s, ${startup.awsCalls} AWS calls (${(startup.awsCalls / OBJECTS).toFixed(1)} per object)`, 'once per start');
      await measureServing(server, aws);
    });
    // Phase 2: a short resync period, to see what it costs and how soon it finds changes.
    await withServer(moto.endpoint, PERIOD, async (server) => {
      const idle = await measureIdleResync(server, 3);
      const operations = Object.entries(idle.byOperation).map(([op, n]) => `${op.replace('Command', '')} ${n.toFixed(0)}`);
      row('AWS calls per full resync round, all kinds (nothing changed)', `${idle.perResync.toFixed(0)} (${operations.join(', ')}); DynamoDB's took ${idle.seconds.toFixed(2)} s`, `listing pages + ${READ_BUDGET} reads, not ${OBJECTS} reads`);
      const outOfBand = await measureOutOfBand(server, aws, 3);
      row(`Out-of-band tag change → event (resync every ${PERIOD} s)`, `mean ${ms(outOfBand.tagged.mean)}, max ${ms(outOfBand.tagged.max)}`, '≤ resync period');
      row(`Out-of-band creation → ADDED (resync every ${PERIOD} s)`, `mean ${ms(outOfBand.created.mean)}, max ${ms(outOfBand.created.max)}`, '≤ resync period');
      const periods = Math.ceil(OBJECTS / READ_BUDGET);
      row('Out-of-band change tags do not show (e.g. capacity)', `within ${periods} resync periods (ceil(${OBJECTS}/${READ_BUDGET})): ${periods * 30} s at the 30 s default`, 'computed, not measured');
    });
    const memory = await memoryProbe(moto.endpoint);
    row('Cache memory per object (heap, after GC)', kb(memory.heapPerObject), '< 5 KB');
    row('Cache memory per object (RSS growth)', kb(memory.rssPerObject), '< 5 KB');
  } finally {
    aws.destroy();
    await moto.stop();
  }
  const cpu = cpus();
  process.stdout.write(
    `\nBenchmark ${new Date().toISOString().slice(0, 10)}: ${OBJECTS} objects, ${WATCHERS} watchers; ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, moto_server on loopback.\n\n` +
      `| Metric | Measured | Target |\n|---|---|---|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
