// A real informer (@kubernetes/client-node's makeInformer: list, then watch, relist on 410) keeps an
// exact copy of the account while a seeded random mix of in-band writes (kubectl and HTTPS) and
// out-of-band changes (the AWS SDK) runs, with a server restart in the middle. At the end its cache
// must equal the server's list, and the server's list must equal what DynamoDB has.
import { DeleteTableCommand, DescribeTableCommand, DynamoDBClient, ListTagsOfResourceCommand, TagResourceCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { CustomObjectsApi, KubeConfig, makeInformer, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { userTags } from '../../src/aws/metadata-tags.js';
import { createOwnedTable, tableNames } from '../support/aws.js';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { eventually } from '../support/eventually.js';
import { openWatch } from '../support/watch.js';

const CLUSTER = 'inf';
const SEED = 20261124;
const OPERATIONS = 40;
const NAMESPACES = ['team-a', 'team-b'];
const NAMES = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5'];
const GROUP = 'service-operator.aws';
const GV = `/apis/${GROUP}/v1alpha1`;

interface DynamoDB extends KubernetesObject {
  spec: { billingMode: string; tags?: Record<string, string> };
}

let env: TestEnvironment;
const ddb = () => env.aws.client(DynamoDBClient);
const tableOf = (key: string) => `${CLUSTER}.${key.replace('/', '.')}`;

/** mulberry32: a small seeded generator, so every run performs the same operations. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Operation = (key: string, step: number) => Promise<void>;

const manifest = (name: string) =>
  JSON.stringify({ apiVersion: `${GROUP}/v1alpha1`, kind: 'DynamoDB', metadata: { name }, spec: { hashAttribute: { name: 'id', type: 'S' }, readCapacityUnits: 1, writeCapacityUnits: 1 } });
const split = (key: string) => key.split('/') as [string, string];

/** Creations (on names that are free), and updates and deletions (on names that exist). */
const creations: Record<string, Operation> = {
  'create with kubectl': async (key) => {
    const [namespace, name] = split(key);
    await env.kubectl.inNamespace(namespace).ok(['apply', '-f', '-'], { input: manifest(name) });
  },
  'create in AWS': async (key) => {
    const [namespace, name] = split(key);
    await createOwnedTable(env.aws, tableOf(key), { cluster: CLUSTER, namespace, name });
  },
};
const changes: Record<string, Operation> = {
  'label with kubectl': async (key, step) => {
    const [namespace, name] = split(key);
    await env.kubectl.inNamespace(namespace).ok(['label', '--overwrite', 'dynamodb', name, `step=${step}`]);
  },
  'label over HTTPS': async (key, step) => {
    const [namespace, name] = split(key);
    const response = await env.request(`${GV}/namespaces/${namespace}/dynamodbs/${name}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ metadata: { labels: { via: 'https', step: String(step) } } }),
    });
    if (response.status !== 200) throw new Error(`PATCH ${key}: ${response.status} ${response.body}`);
  },
  'change billing in AWS': async (key) => {
    const table = (await ddb().send(new DescribeTableCommand({ TableName: tableOf(key) }))).Table;
    const provisioned = table?.BillingModeSummary?.BillingMode !== 'PAY_PER_REQUEST';
    await ddb().send(
      new UpdateTableCommand(
        provisioned
          ? { TableName: tableOf(key), BillingMode: 'PAY_PER_REQUEST' }
          : { TableName: tableOf(key), BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } },
      ),
    );
  },
  'tag in AWS': async (key, step) => {
    const arn = (await ddb().send(new DescribeTableCommand({ TableName: tableOf(key) }))).Table?.TableArn;
    await ddb().send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: `note-${step}`, Value: 'set in the console' }] }));
  },
  'delete with kubectl': async (key) => {
    const [namespace, name] = split(key);
    await env.kubectl.inNamespace(namespace).ok(['delete', 'dynamodb', name]);
  },
  'delete in AWS': async (key) => {
    await ddb().send(new DeleteTableCommand({ TableName: tableOf(key) }));
  },
};

/** What DynamoDB has for this cluster, as the fields the comparison looks at. */
async function accountState(): Promise<Record<string, { billingMode: string; tags: Record<string, string> }>> {
  const state: Record<string, { billingMode: string; tags: Record<string, string> }> = {};
  for (const table of await tableNames(env.aws)) {
    if (!table.startsWith(`${CLUSTER}.`)) continue;
    const description = (await ddb().send(new DescribeTableCommand({ TableName: table }))).Table;
    const tags = (await ddb().send(new ListTagsOfResourceCommand({ ResourceArn: description?.TableArn }))).Tags ?? [];
    const [, namespace, name] = table.split('.');
    state[`${namespace}/${name}`] = {
      billingMode: description?.BillingModeSummary?.BillingMode ?? 'PROVISIONED',
      tags: userTags(Object.fromEntries(tags.map((t) => [t.Key as string, t.Value as string]))),
    };
  }
  return state;
}

/** What differs between DynamoDB, the server's list and the informer's cache; undefined when nothing. */
function disagreement(aws: Awaited<ReturnType<typeof accountState>>, served: Record<string, DynamoDB>, cached: Record<string, DynamoDB>, expected: Set<string>): string | undefined {
  const keys = (record: object) => JSON.stringify(Object.keys(record).sort());
  if (keys(aws) !== JSON.stringify([...expected].sort())) return `DynamoDB has ${keys(aws)}, the operations left ${JSON.stringify([...expected].sort())}`;
  if (keys(served) !== keys(aws)) return `the server lists ${keys(served)}, DynamoDB has ${keys(aws)}`;
  for (const [key, truth] of Object.entries(aws)) {
    const spec = served[key].spec;
    if (spec.billingMode !== truth.billingMode || JSON.stringify(spec.tags ?? {}) !== JSON.stringify(truth.tags)) return `${key}: the server shows ${JSON.stringify(spec)}, DynamoDB has ${JSON.stringify(truth)}`;
  }
  for (const key of new Set([...Object.keys(served), ...Object.keys(cached)])) {
    if (JSON.stringify(cached[key]) !== JSON.stringify(served[key])) return `${key}: the informer has ${JSON.stringify(cached[key]?.metadata)}, the server ${JSON.stringify(served[key]?.metadata)}`;
  }
  return undefined;
}

const byKey = (objects: readonly DynamoDB[]) => Object.fromEntries(objects.map((o) => [`${o.metadata?.namespace}/${o.metadata?.name}`, o]));

beforeAll(async () => {
  env = await startEnvironment({ clusterName: CLUSTER, extraArgs: ['--resync-period', '1', '--transitional-resync-period', '0.5'] });
});

afterAll(async () => {
  await env?.stop();
});

test('an informer keeps an exact copy of the account through in-band and out-of-band changes and a server restart', async () => {
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(env.server.kubeconfig);
  const api = kubeconfig.makeApiClient(CustomObjectsApi);
  const list = () => api.listClusterCustomObject({ group: GROUP, version: 'v1alpha1', plural: 'dynamodbs' }) as Promise<KubernetesListObject<DynamoDB>>;
  const informer = makeInformer<DynamoDB>(kubeconfig, `${GV}/dynamodbs`, list);
  let stopped = false;
  // client-node's informer stops on a connection error (the server restarting); restart it, as its users do.
  informer.on('error', () => {
    if (!stopped) setTimeout(() => void informer.start(), 200);
  });
  await informer.start();

  const next = random(SEED);
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
  const existing = new Set<string>();
  const performed: string[] = [];
  let staleVersion = '';
  try {
    for (let step = 0; step < OPERATIONS; step++) {
      if (step === OPERATIONS / 2) {
        staleVersion = (await env.request(`${GV}/dynamodbs`)).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
        await env.restart();
      }
      const key = `${pick(NAMESPACES)}/${pick(NAMES)}`;
      const [what, operation] = existing.has(key) ? pick(Object.entries(changes)) : pick(Object.entries(creations));
      await operation(key, step);
      if (what.startsWith('create')) existing.add(key);
      if (what.startsWith('delete')) existing.delete(key);
      performed.push(what);
    }
    // Both sides of the mix really ran.
    expect(performed.filter((w) => w.endsWith('in AWS')).length).toBeGreaterThan(5);
    expect(performed.filter((w) => !w.endsWith('in AWS')).length).toBeGreaterThan(5);

    await eventually(
      'the informer, the server and DynamoDB to agree',
      async () => {
        const problem = disagreement(await accountState(), byKey((await list()).items), byKey(informer.list()), existing);
        if (problem) throw new Error(problem);
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\noperations: ${performed.join(', ')}\nserver log:\n${env.server.logs().slice(-4000)}`);
    });
  } finally {
    stopped = true;
    await informer.stop();
  }

  // What the informer went through after the restart: a version from before it is 410 Expired.
  const watch = await openWatch({ url: env.server.url, ca: env.server.ca, token: env.server.token }, `${GV}/dynamodbs?watch=true&resourceVersion=${staleVersion}`);
  await watch.waitForEnd();
  expect(watch.events).toEqual([{ type: 'ERROR', object: expect.objectContaining({ code: 410, reason: 'Expired' }) }]);
});
