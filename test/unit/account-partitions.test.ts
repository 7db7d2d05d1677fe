// The resync over several AWS accounts (aws/accounts/): each account is listed with its own context,
// a resource is taken from an account only for namespaces that live there, and an account that cannot
// be listed leaves its objects in place, Ready=False saying why, while the other accounts go on.
import { AwsClients } from '../../src/aws/clients.js';
import { encodeMetadataTags } from '../../src/aws/metadata-tags.js';
import { createLogger } from '../../src/log.js';
import type { KindContext, KindDefinition } from '../../src/registry/kind.js';
import { ResourceVersionClock } from '../../src/registry/resource-version.js';
import { KindStore } from '../../src/registry/store.js';
import { FakeCloud, fakeKind } from '../support/fake-cloud.js';

const CLUSTER = 'c';
const meta = { uid: 'u', creationTimestamp: '2026-12-01T00:00:00Z', generation: 1 };
const tagsOf = (namespace: string, name: string) => encodeMetadataTags({ cluster: CLUSTER, namespace, name }, { ...meta, uid: `${namespace}-${name}` }, 50, 0);

/** One fake account per region; the kind's calls go to the account of the context they are made in. */
function setup() {
  const clouds: Record<string, FakeCloud> = { 'eu-west-1': new FakeCloud({ transitionMs: 0 }), 'us-west-2': new FakeCloud({ transitionMs: 0 }) };
  const unreachable = new Set<string>();
  const kinds = Object.fromEntries(Object.entries(clouds).map(([region, cloud]) => [region, fakeKind(cloud)]));
  const of = (ctx: KindContext) => {
    if (unreachable.has(ctx.region)) throw new Error(`the AWS role of ${ctx.region} cannot be assumed (AccessDenied)`);
    return kinds[ctx.region].aws;
  };
  const base = kinds['eu-west-1'];
  const kind: KindDefinition = {
    ...base,
    aws: {
      ...base.aws,
      find: (ctx, ref) => of(ctx).find(ctx, ref),
      enumerate: (ctx, cluster) => of(ctx).enumerate(ctx, cluster),
    },
  };
  const aws = new AwsClients({ region: 'us-east-1', maxAttempts: 1 });
  const regionOf = (namespace?: string) => (namespace === 'team-b' ? 'us-west-2' : 'eu-west-1');
  const context = (namespace?: string): KindContext => ({ aws, region: regionOf(namespace), clusterName: CLUSTER, accountId: async () => '111111111111', deadline: Date.now() + 1000 });
  const store = new KindStore({
    kind,
    clusterName: CLUSTER,
    clock: new ResourceVersionClock(),
    context,
    partitions: () => ['eu-west-1', 'us-west-2'].map((region) => ({ key: region, context: () => ({ ...context(), region }), holds: (namespace: string) => regionOf(namespace) === region })),
    log: createLogger('silent'),
    eventCapacity: 1000,
    resyncReadBudget: 10,
  });
  return { clouds, store, unreachable };
}

const ready = (store: KindStore, namespace: string, name: string) =>
  (store.view.get(namespace, name)?.object.status?.conditions as { type: string; status: string; reason: string; message: string }[] | undefined)?.find((c) => c.type === 'Ready');

test('each account gives the objects of its own namespaces only', async () => {
  const { clouds, store } = setup();
  clouds['eu-west-1'].createOutOfBand('orders', tagsOf('team-a', 'orders'));
  clouds['us-west-2'].createOutOfBand('orders', tagsOf('team-b', 'orders'));
  // Tagged as team-a's, in the account team-b lives in: not an object of team-a.
  clouds['us-west-2'].createOutOfBand('forged', tagsOf('team-a', 'forged'));
  await store.resync();
  expect(store.view.list().map((entry) => `${entry.object.metadata.namespace}/${entry.object.metadata.name}`)).toEqual(['team-a/orders', 'team-b/orders']);
});

test('an account that cannot be listed keeps its objects, Ready=False saying why, until it can again', async () => {
  const { clouds, store, unreachable } = setup();
  clouds['eu-west-1'].createOutOfBand('orders', tagsOf('team-a', 'orders'));
  clouds['us-west-2'].createOutOfBand('orders', tagsOf('team-b', 'orders'));
  await store.resync();
  expect(ready(store, 'team-b', 'orders')?.status).toBe('True');

  unreachable.add('us-west-2');
  clouds['eu-west-1'].createOutOfBand('more', tagsOf('team-a', 'more'));
  await store.resync();
  expect(ready(store, 'team-b', 'orders')).toMatchObject({ status: 'False', reason: 'AccountUnavailable', message: expect.stringContaining('cannot be assumed') });
  expect(ready(store, 'team-a', 'orders')?.status).toBe('True');
  expect(store.view.get('team-a', 'more')).toBeDefined();

  unreachable.delete('us-west-2');
  await store.resync();
  expect(ready(store, 'team-b', 'orders')?.status).toBe('True');
});
