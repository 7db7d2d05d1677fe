// Run by the benchmark as `node --expose-gc dist/bench/memory-probe.js <aws-endpoint> <objects>`:
// measures what the server's cache holds per object (view entry, rendered object, event-log entry),
// as heap and resident memory before and after one store reads every object, with collections forced
// so that garbage does not count. Prints one JSON line.
import { AwsClients } from '../src/aws/clients.js';
import dynamoDB from '../src/kinds/dynamodb/index.js';
import { createLogger } from '../src/log.js';
import type { KindContext } from '../src/registry/kind.js';
import { ResourceVersionClock } from '../src/registry/resource-version.js';
import { KindStore } from '../src/registry/store.js';
import { BENCH_CLUSTER } from './fixtures.js';

const [endpoint, count] = process.argv.slice(2);
const collect = (globalThis as { gc?: () => void }).gc;
if (!endpoint || !count || !collect) throw new Error('usage: node --expose-gc memory-probe.js <aws-endpoint> <objects>');

const aws = new AwsClients({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 2 });
const context = (clusterName: string) => (): KindContext => ({ aws, region: 'us-east-1', clusterName, accountId: async () => '123456789012', deadline: Date.now() + 60_000 });
const store = (clusterName: string) =>
  new KindStore({ kind: dynamoDB, clusterName, clock: new ResourceVersionClock(), context: context(clusterName), log: createLogger('silent'), eventCapacity: 10_000, resyncReadBudget: 100 });

function measure(): { heap: number; rss: number } {
  for (let i = 0; i < 3; i++) collect?.();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, rss: usage.rss };
}

// A first store reads everything and is dropped: SDK clients, modules and compiled code paths are then
// part of the baseline, and only what a store keeps per object is measured.
await store(BENCH_CLUSTER).resync();
const before = measure();
const measured = store(BENCH_CLUSTER);
await measured.resync();
const after = measure();
const objects = measured.view.size;
process.stdout.write(`${JSON.stringify({ objects, heapPerObject: (after.heap - before.heap) / objects, rssPerObject: (after.rss - before.rss) / objects, expected: Number(count) })}\n`);
aws.destroy();
