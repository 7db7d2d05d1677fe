// Creates that fail half way, for every kind (issue 9, finding 4): a step after the resource exists
// fails, then its rollback fails too, then the answer of the create call itself is lost; and a create
// throttled right after it made its resource (finding 9). Whatever
// happens, a client never sees an object whose create failed, never gets a 409 for its own resource,
// and nothing half made stays in AWS: a retry of the same create finishes it, and the resync removes
// one nobody retries once its create is abandoned.
import { queueNames, warmUpCloudFormation } from '../support/aws.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { eventually } from '../support/eventually.js';
import { operation, THROTTLED, type AwsCall, type FaultProxy } from '../support/fault-proxy.js';
import { createCase as createKindCase, createObject, isStepOf, kindCases, objectsPath, type KindCase } from '../support/kind-cases.js';
import { seedFrom } from '../support/random.js';

const CLUSTER = 'halfmade';
const SEED = seedFrom(4);
const REFUSED = { kind: 'error', status: 400, code: 'ValidationException', message: 'injected by the fault proxy' } as const;

let env: TestEnvironment;
let proxy: FaultProxy;
const CASES = kindCases(() => env, CLUSTER);

const createCase = (c: KindCase, name: string) => createKindCase(env, c, name);
const listed = async (c: KindCase, name: string) => (await env.request(objectsPath(c.plural))).json<{ items: { metadata: { name: string } }[] }>().items.some((item) => item.metadata.name === name);

/**
 * Fails the calls `matches` picks: `times` of them (default: every one until the test ends); with
 * `afterFailing`, only once a call of that operation has been failed (the calls of a rollback).
 */
function fail(matches: (call: AwsCall) => boolean, options: { times?: number; afterFailing?: string } = {}): void {
  const mark = proxy.calls.length;
  const { afterFailing } = options;
  const failedBefore = (call: AwsCall) => !afterFailing || proxy.calls.slice(mark, proxy.calls.indexOf(call)).some((c) => c.operation === afterFailing && c.outcome === 'error');
  proxy.add({ matches: (call) => matches(call) && failedBefore(call), fault: REFUSED, ...(options.times ? { times: options.times } : {}) });
}

const failStep = (c: KindCase, options: { times?: number } = {}) => fail(isStepOf(c, () => proxy.calls), options);

/** A create whose step keeps failing and whose rollback fails: it leaves a half-made resource. */
async function createStuck(c: KindCase, name: string): Promise<void> {
  await c.prepare?.(name);
  failStep(c);
  if (c.rollback) fail(operation(c.rollback), { times: 1, afterFailing: c.step });
  expect(await createCase(c, name)).toBeGreaterThanOrEqual(400);
  proxy.clear();
  await expectNoObject(c, name);
  expect([c.kind, (await c.inAws(name)) > 0]).toEqual([c.kind, true]);
}

/** A finished create: the object is listed, has every setting of its spec, and AWS has what it needs. */
async function expectComplete(c: KindCase, name: string): Promise<void> {
  expect(await listed(c, name)).toBe(true);
  const object = await env.request(`${objectsPath(c.plural)}/${name}`);
  expect([object.status, object.json<Record<string, unknown>>()[c.root ?? 'spec']]).toEqual([200, expect.objectContaining(c.spec(name))]);
  expect(await c.inAws(name)).toBe(c.made);
}

/** The server's log lines of level warn and above about a kind (the last 40). */
function serverWarnings(kind: string): string {
  const lines = env.server.logs().split('\n').filter((line) => /"level":[4-6]0/.test(line) && line.includes(`"kind":"${kind}"`));
  return lines.slice(-40).join('\n');
}

/** A failed create leaves no object: GET is 404 and lists do not show it. */
async function expectNoObject(c: KindCase, name: string): Promise<void> {
  const read = await env.request(`${objectsPath(c.plural)}/${name}`);
  // The answer's body with its status: a failure says what the server answered instead.
  expect({ kind: c.kind, status: read.status, ...(read.status === 404 ? {} : { body: read.body }) }).toEqual({ kind: c.kind, status: 404 });
  expect(await listed(c, name)).toBe(false);
}

beforeAll(async () => {
  env = await startEnvironment({
    clusterName: CLUSTER,
    faults: { seed: SEED },
    fillMotoGaps: true,
    // Creates are abandoned 2 × 20 s after they start, so the resync removes what nobody finishes soon
    // (yet not before a loaded machine has checked what a stuck create left).
    extraArgs: ['--request-timeout', '20', '--resync-period', '1', '--transitional-resync-period', '1'],
  });
  proxy = env.proxy as FaultProxy;
  await warmUpCloudFormation(env.aws);
  expect(await createObject(env, 'snstopics', 'SNSTopic', 'news', {})).toBe(201);
});

afterEach(() => proxy.clear());

afterAll(async () => {
  await env?.stop();
});

describe.each(CASES)('$kind', (c) => {
  test(`a step after ${c.create} fails: an error, no object, nothing left in AWS; the same create then succeeds (seed ${SEED})`, async () => {
    await c.prepare?.('rolled');
    failStep(c, { times: 1 });
    expect(await createCase(c, 'rolled')).toBeGreaterThanOrEqual(400);
    await expectNoObject(c, 'rolled');
    // Rolled back at once, or (a topic's one call) half made until the retry finishes it.
    if (c.rollback) expect(await c.inAws('rolled')).toBe(0);
    expect(await createCase(c, 'rolled')).toBe(201);
    await expectComplete(c, 'rolled');
  });

  test('its rollback fails too: still no object; a retry of the create finishes the half-made resource', async () => {
    await createStuck(c, 'stuck');
    expect(await createCase(c, 'stuck')).toBe(201);
    await expectComplete(c, 'stuck');
  });

  test(`the answer to ${c.create} is lost: the create recognises its own resource and succeeds`, async () => {
    await c.prepare?.('unheard');
    proxy.add({ matches: c.isCreate ?? operation(c.create), fault: { kind: 'lose-response' }, times: 1 });
    expect(await createCase(c, 'unheard')).toBe(201);
    await expectComplete(c, 'unheard');
  });
});

test("throttled right after it made its resource (past the SDK's 4 attempts), a create still answers 201, never 429 for a queue that then shows up", async () => {
  // This queue's first GetQueueAttributes is the create's read of the queue it has just made.
  const queue = `${CLUSTER}_default_throttled`;
  const readsNewQueue = (call: AwsCall) => operation('GetQueueAttributes')(call) && call.resource?.endsWith(`/${queue}`) === true;
  const mark = proxy.calls.length;
  proxy.add({ matches: readsNewQueue, fault: THROTTLED, times: 4 });
  expect(await createObject(env, 'sqsqueues', 'SQSQueue', 'throttled', {})).toBe(201);
  // The read was throttled all 4 times (the SDK's attempts gave up at least once), then went through.
  expect(proxy.since(mark).filter(readsNewQueue).slice(0, 5).map((call) => call.outcome)).toEqual(['error', 'error', 'error', 'error', 'forwarded']);
  expect((await env.request(`${objectsPath('sqsqueues')}/throttled`)).status).toBe(200);
  expect((await queueNames(env.aws)).filter((name) => name === queue)).toHaveLength(1);
});

test('the answer to the record a create makes of itself is lost: the create goes on', async () => {
  const c = CASES[0];
  proxy.add({ matches: (call) => call.operation === 'PutParameter' && call.resource?.startsWith('/service-operator.aws/creates/') === true, fault: { kind: 'lose-response' }, times: 1 });
  expect(await createCase(c, 'recorded')).toBe(201);
  await expectComplete(c, 'recorded');
});

// SSM's words for the tags of a parameter that is not there (moto's and AWS's alike).
const PARAMETER_GONE = { kind: 'error', status: 400, code: 'InvalidResourceId', message: 'Invalid Resource Id' } as const;

test("a parameter deleted between a read of its value and of its tags (a resync removing it meanwhile) is gone, not a 500", async () => {
  const [bucket, subscription] = [CASES.find((c) => c.plural === 's3buckets'), CASES.find((c) => c.plural === 'snssubscriptions')] as KindCase[];
  // A half-made bucket is read with the tags of its create's intent, a subscription with its parameter's.
  await createStuck(bucket, 'vanishing');
  await subscription.prepare?.('vanishing');
  expect(await createCase(subscription, 'vanishing')).toBe(201);
  proxy.add({ matches: operation('ListTagsForResource', 'ssm'), fault: PARAMETER_GONE });
  await expectNoObject(bucket, 'vanishing');
  expect((await env.request(`${objectsPath(subscription.plural)}/vanishing`)).status).toBe(404);
});

test('half-made resources nobody finishes are removed by the resync once their creates are abandoned', async () => {
  for (const c of CASES) await createStuck(c, 'abandoned');
  for (const c of CASES) {
    // Abandoned 40 s after its create began, then removed by a resync (every second): 2 minutes is ample
    // even on a loaded machine; a failure shows what the server said about the kind.
    await eventually(`the abandoned ${c.kind} to be removed`, async () => (await c.inAws('abandoned')) === 0, { timeoutMs: 120_000 }).catch((error: unknown) => {
      throw new Error(`${String(error)}\nthe server's warnings about ${c.kind}:\n${serverWarnings(c.kind)}`);
    });
    await expectNoObject(c, 'abandoned');
  }
}, 300_000);
