// The server is SIGKILLed in the middle of a create, for every kind, at the step after the one that
// made the resource (issue 9, finding 4): between CreateBucket and PutBucketTagging, between Subscribe
// and the SSM PutParameter that records it, and so on. Restarted, it never shows the half-made
// resource as an object; applying the object again finishes it (no 409 for its own resource, nothing
// made twice), and one nobody applies again is removed once its create is abandoned.
import { warmUpCloudFormation } from '../support/aws.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { eventually } from '../support/eventually.js';
import { operation, type AwsCall, type FaultProxy } from '../support/fault-proxy.js';
import { createCase, createObject, isStepOf, kindCases, objectsPath, type KindCase } from '../support/kind-cases.js';

const CLUSTER = 'crash';
let env: TestEnvironment;
let proxy: FaultProxy;
const CASES = kindCases(() => env, CLUSTER);
const byKind = (kind: string) => CASES.find((c) => c.kind === kind) as KindCase;

/** Where to kill the server: the call that comes right after the resource exists. */
const CRASH_POINTS: { c: KindCase; at: string; matches: (call: AwsCall) => boolean }[] = [
  ...CASES.map((c) => ({ c, at: c.step, matches: isStepOf(c, () => proxy.calls) })),
  { c: byKind('S3Bucket'), at: 'PutBucketTagging', matches: operation('PutBucketTagging') },
  { c: byKind('SNSSubscription'), at: 'PutParameter after Subscribe', matches: (call) => operation('PutParameter')(call) && subscribedBefore(call) },
];

function subscribedBefore(call: AwsCall): boolean {
  const at = proxy.calls.indexOf(call);
  const lastIntent = proxy.calls.slice(0, at).map((c) => c.operation).lastIndexOf('PutParameter');
  return proxy.calls.slice(lastIntent + 1, at).some((c) => c.operation === 'Subscribe');
}

/** Starts the create, kills the server at `matches`, restarts it. */
async function crashDuring(c: KindCase, name: string, matches: (call: AwsCall) => boolean): Promise<void> {
  await c.prepare?.(name);
  proxy.add({ matches, times: 1, fault: { kind: 'intercept', action: () => void env.server.kill() } });
  await createCase(env, c, name).catch(() => undefined);
  proxy.clear();
  await env.restart();
}

async function object(c: KindCase, name: string): Promise<{ status: number; spec?: unknown }> {
  const response = await env.request(`${objectsPath(c.plural)}/${name}`);
  return { status: response.status, ...(response.status === 200 ? { spec: response.json<Record<string, unknown>>()[c.root ?? 'spec'] } : {}) };
}

const listed = async (c: KindCase, name: string) => (await env.request(objectsPath(c.plural))).json<{ items: { metadata: { name: string } }[] }>().items.some((item) => item.metadata.name === name);

beforeAll(async () => {
  env = await startEnvironment({ clusterName: CLUSTER, faults: { seed: 1 }, fillMotoGaps: true, extraArgs: ['--request-timeout', '10', '--resync-period', '1', '--transitional-resync-period', '1'] });
  proxy = env.proxy as FaultProxy;
  await warmUpCloudFormation(env.aws);
  expect(await createObject(env, 'snstopics', 'SNSTopic', 'news', {})).toBe(201);
});

afterAll(async () => {
  await env?.stop();
});

test.each(CRASH_POINTS.map((point, i) => ({ ...point, name: `crashed-${i}` })))('$c.kind killed at $at: after a restart no object shows, and applying it again finishes it', async ({ c, matches, name }) => {
  await crashDuring(c, name, matches);
  expect(await c.inAws(name)).toBeGreaterThan(0);
  expect((await object(c, name)).status).toBe(404);
  expect(await listed(c, name)).toBe(false);

  expect(await createCase(env, c, name)).toBe(201);
  expect(await object(c, name)).toEqual({ status: 200, spec: expect.objectContaining(c.spec(name)) });
  expect(await c.inAws(name)).toBe(c.made);
});

// Kinds made by one call (a topic, a cache cluster, a stack) are killed at the end of the create,
// after its record went and before its pending tag: hidden until applied again, which the test above
// shows; the resync removes only what a record vouches for.
test('what a killed create left, nobody applying it again, is removed once the create is abandoned', async () => {
  const kinds = ['DynamoDB', 'S3Bucket', 'SNSSubscription', 'CloudFormationTemplate'];
  for (const kind of kinds) await crashDuring(byKind(kind), 'forgotten', isStepOf(byKind(kind), () => proxy.calls));
  for (const kind of kinds) {
    await eventually(`the half-made ${kind} to be removed`, async () => (await byKind(kind).inAws('forgotten')) === 0, { timeoutMs: 60_000 });
  }
});
