// Out-of-band drift: what it costs in AWS calls to notice changes made outside the server, and how
// soon a watcher sees them, for ours with change events, ours with the resync only, and the peers'
// documented polling policies computed on the same account. moto emits no CloudTrail events, so the
// benchmark reports each change on the event bus itself, the moment it made it (test/support/cloudtrail.ts):
// the figures start at the event and leave out CloudTrail's own delivery delay.
import { DynamoDBClient, TagResourceCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import type { AwsClients } from '../src/aws/clients.js';
import { reportCall } from '../test/support/cloudtrail.js';
import { objectName, tableName } from './fixtures.js';
import { COLLECTION, listResourceVersion } from './measurements.js';
import type { ServerClient } from './server-client.js';
import { summarize, type Summary } from './stats.js';

export interface EventDrift {
  /** Event put on the bus → the watcher's MODIFIED. */
  tagged: Summary;
  untagged: Summary;
}

/** Changes made in DynamoDB and reported as CloudTrail would; each sample on another table. */
export async function measureEventDrift(server: ServerClient, aws: AwsClients, samples: number, firstTable: number): Promise<EventDrift> {
  const watch = await server.watch(`${COLLECTION}?watch=true&resourceVersion=${await listResourceVersion(server)}`);
  const dynamodb = aws.client(DynamoDBClient);
  const detect = async (i: number, change: (table: string) => Promise<unknown>, call: string, parameters: (table: string) => Record<string, unknown>): Promise<number> => {
    const [name, table] = [objectName(i), tableName(i)];
    await change(table);
    const from = watch.events.length;
    const reported = performance.now();
    await reportCall(aws, 'dynamodb', call, parameters(table));
    const event = await watch.waitFor(`${name} to change`, (e) => e.object.metadata?.name === name, from);
    return watch.arrivals[watch.events.indexOf(event)] - reported;
  };
  const arn = (table: string) => `arn:aws:dynamodb:us-east-1:123456789012:table/${table}`;
  try {
    const tagged: number[] = [];
    const untagged: number[] = [];
    for (let s = 0; s < samples; s++) {
      tagged.push(await detect(firstTable + 2 * s, (table) => dynamodb.send(new TagResourceCommand({ ResourceArn: arn(table), Tags: [{ Key: 'console-note', Value: `n${Date.now()}` }] })), 'TagResource', (table) => ({ resourceArn: arn(table) })));
      untagged.push(
        await detect(
          firstTable + 2 * s + 1,
          (table) => dynamodb.send(new UpdateTableCommand({ TableName: table, ProvisionedThroughput: { ReadCapacityUnits: 6 + s, WriteCapacityUnits: 5 } })),
          'UpdateTable',
          (table) => ({ tableName: table, provisionedThroughput: { readCapacityUnits: 6 + s, writeCapacityUnits: 5 } }),
        ),
      );
    }
    return { tagged: summarize(tagged), untagged: summarize(untagged) };
  } finally {
    watch.close();
  }
}

/** AWS calls made while nothing changes, over `seconds`, by caller. */
export async function measureIdleCalls(server: ServerClient, seconds: number): Promise<{ perHour: number; byCaller: Record<string, number> }> {
  const before = await server.metrics();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const after = await server.metrics();
  const byCaller = Object.fromEntries(Object.entries(after.awsCallsByCaller).map(([caller, n]) => [caller, ((n - (before.awsCallsByCaller[caller] ?? 0)) * 3600) / seconds]));
  return { perHour: ((after.awsCalls - before.awsCalls) * 3600) / seconds, byCaller };
}

export interface DriftPolicy {
  name: string;
  callsPerHour: number;
  tagged: string;
  untagged: string;
}

const hours = (seconds: number) => (seconds >= 3600 ? `${(seconds / 3600).toFixed(seconds % 3600 ? 1 : 0)} h` : seconds >= 60 ? `${(seconds / 60).toFixed(0)} min` : `${seconds} s`);

/**
 * The peers' policies on the same account: ACK re-reads each object once per resync period (10 h),
 * Crossplane observes each once per poll (10 min); each read costs what one of ours costs (`readCalls`).
 */
export function peerPolicies(objects: number, readCalls: number): DriftPolicy[] {
  return [
    { name: 'ACK (one read per object per 10 h)', callsPerHour: (objects * readCalls) / 10, tagged: hours(36_000), untagged: hours(36_000) },
    { name: 'Crossplane (one observe per object per 10 min)', callsPerHour: objects * readCalls * 6, tagged: hours(600), untagged: hours(600) },
  ];
}

export { hours };
