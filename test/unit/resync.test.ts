// The resync against an in-memory fake service that counts calls: what it costs per period, and that
// every kind of out-of-band change still becomes the right event.
import { AwsClients } from '../../src/aws/clients.js';
import { encodeMetadataTags, identityTags, PENDING_TAG } from '../../src/aws/metadata-tags.js';
import type { CreateJournal } from '../../src/aws/create-journal.js';
import { createLogger } from '../../src/log.js';
import type { ChangeEvent } from '../../src/registry/event-log.js';
import { ResourceVersionClock } from '../../src/registry/resource-version.js';
import { KindStore } from '../../src/registry/store.js';
import { FakeCloud, fakeKind } from '../support/fake-cloud.js';

const CLUSTER = 'c';
const OBJECTS = 250;
const BUDGET = 100;

function setup(listByArn = false, mayCleanUp = true, journal?: CreateJournal) {
  let now = 1_000_000;
  const cloud = new FakeCloud({ transitionMs: 1000, now: () => now, listByArn });
  const aws = new AwsClients({ region: 'us-east-1', maxAttempts: 1 });
  const store = new KindStore({
    kind: fakeKind(cloud),
    clusterName: CLUSTER,
    clock: new ResourceVersionClock(() => now),
    context: () => ({ aws, region: 'us-east-1', clusterName: CLUSTER, accountId: async () => '000000000000', deadline: now + 1000 }),
    log: createLogger('silent'),
    eventCapacity: 10_000,
    resyncReadBudget: BUDGET,
    mayCleanUp: () => mayCleanUp,
    ...(journal ? { journal } : {}),
  });
  const events: ChangeEvent[] = [];
  store.view.log.subscribe((event) => events.push(event));
  const advance = (ms: number) => (now += ms);
  return { cloud, store, events, advance };
}

const owned = (name: string) => identityTags({ cluster: CLUSTER, namespace: 'ns', name });
const sizeOf = (store: KindStore, name: string) => store.view.get('ns', name)?.object.spec?.size;

describe('a full resync', () => {
  test('reads every object once at start, then costs the listing pages plus the read budget', async () => {
    const { cloud, store } = setup();
    for (let i = 0; i < OBJECTS; i++) cloud.createOutOfBand(`t${i}`, owned(`t${i}`));
    await store.resync();
    expect(store.view.size).toBe(OBJECTS);
    expect(cloud.calls).toMatchObject({ list: 3, find: OBJECTS });

    cloud.resetCalls();
    await store.resync();
    expect(cloud.calls).toMatchObject({ list: 3, find: BUDGET });
  });

  test('costs the same when the listing names resources in another form than reads do (ARN for name)', async () => {
    const { cloud, store } = setup(true);
    for (let i = 0; i < OBJECTS; i++) cloud.createOutOfBand(`t${i}`, owned(`t${i}`));
    await store.resync();
    expect(store.view.get('ns', 't0')?.ref).toBe('t0');
    cloud.resetCalls();
    await store.resync();
    expect(cloud.calls).toMatchObject({ list: 3, find: BUDGET });
  });

  test('sees new, re-tagged and deleted resources in the next period, each as one event', async () => {
    const { cloud, store, events } = setup();
    for (let i = 0; i < OBJECTS; i++) cloud.createOutOfBand(`t${i}`, owned(`t${i}`));
    await store.resync();
    events.length = 0;

    cloud.createOutOfBand('new', owned('new'));
    cloud.tagOutOfBand('t7', { team: 'x' });
    cloud.deleteOutOfBand('t8');
    cloud.resetCalls();
    await store.resync();

    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`).sort()).toEqual(['ADDED new', 'DELETED t8', 'MODIFIED t7']);
    expect(store.view.get('ns', 't7')?.object.spec?.tags).toEqual({ team: 'x' });
    // The listing shows the two changes; the deletion is confirmed by one read; then the budget.
    expect(cloud.calls.find).toBe(2 + 1 + BUDGET);
  });

  test('sees a change tags do not show within ceil(objects / budget) periods', async () => {
    const { cloud, store, advance } = setup();
    for (let i = 0; i < OBJECTS; i++) cloud.createOutOfBand(`t${i}`, owned(`t${i}`));
    await store.resync();
    const periods = Math.ceil(OBJECTS / BUDGET);
    for (let i = 0; i < OBJECTS; i++) cloud.resizeOutOfBand(`t${i}`, 2);
    for (let period = 0; period < periods; period++) {
      advance(30_000);
      await store.resync();
    }
    const stale = Array.from({ length: OBJECTS }, (_, i) => `t${i}`).filter((name) => sizeOf(store, name) !== 2);
    expect(stale).toEqual([]);
  });

  test('does not report a deletion the listing merely has not caught up with', async () => {
    const { cloud, store, events } = setup();
    cloud.createOutOfBand('lagging', owned('lagging'));
    await store.resync();
    cloud.hiddenFromListing.add('lagging');
    await store.resync();
    expect(store.view.get('ns', 'lagging')).toBeDefined();
    expect(events.map((e) => e.type)).toEqual(['ADDED']);
  });

  test('keeps half-made resources out of the view, and removes those whose creates were abandoned, where allowed', async () => {
    const halfMade = (name: string, at: number) => ({
      ...encodeMetadataTags({ cluster: CLUSTER, namespace: 'ns', name }, { uid: `uid-${name}`, creationTimestamp: '2026-01-01T00:00:00Z', generation: 1 }, 50, 0),
      [PENDING_TAG]: new Date(at).toISOString(),
    });
    for (const allowed of [false, true]) {
      // The journal vouches for both creates; another resource merely carries a pending tag.
      const records = new Map(['abandoned', 'underway'].map((name) => [`faketables/ns/${name}`, { ref: `${CLUSTER}.ns.${name}`, uid: `uid-${name}` }]));
      const journal: CreateJournal = { record: async () => undefined, read: async (key) => records.get(key), forget: async (key) => void records.delete(key) };
      const { cloud, store } = setup(false, allowed, journal);
      cloud.createOutOfBand(`${CLUSTER}.ns.abandoned`, halfMade('abandoned', Date.now() - 1000));
      cloud.createOutOfBand(`${CLUSTER}.ns.underway`, halfMade('underway', Date.now() + 3_600_000));
      cloud.createOutOfBand(`${CLUSTER}.ns.forged`, halfMade('forged', Date.now() - 1000));
      await store.resync();
      expect(store.view.size).toBe(0);
      await expect(store.get('ns', 'underway')).rejects.toMatchObject({ code: 404 });
      // Only the leader removes anything; never a create still under way, nor what no record vouches for.
      expect(cloud.calls.delete).toBe(allowed ? 1 : 0);
      expect(cloud.has(`${CLUSTER}.ns.forged`)).toBe(true);
      expect(records.has('faketables/ns/abandoned')).toBe(!allowed);
    }
  });

  test('ignores resources of other clusters and untagged ones', async () => {
    const { cloud, store } = setup();
    cloud.createOutOfBand('theirs', identityTags({ cluster: 'other', namespace: 'ns', name: 'theirs' }));
    cloud.createOutOfBand('nobody', {});
    await store.resync();
    expect(store.view.size).toBe(0);
  });
});

describe('the transitional resync', () => {
  test('re-reads only objects AWS is still changing, until they settle', async () => {
    const { cloud, store, advance } = setup();
    cloud.createOutOfBand('settled', owned('settled'));
    await store.resync();
    const created = await store.create('ns', { apiVersion: 'service-operator.aws/v1alpha1', kind: 'FakeTable', metadata: { name: 'fresh' }, spec: { size: 3 } }, { dryRun: false, fieldValidation: 'Strict', fieldManager: 'test', force: false });
    expect(created.object.status?.state).toBe('CREATING');

    cloud.resetCalls();
    await store.resync(true);
    expect(cloud.calls.find).toBe(1);
    advance(1000);
    await store.resync(true);
    expect(store.view.get('ns', 'fresh')?.object.status?.state).toBe('ACTIVE');
    cloud.resetCalls();
    await store.resync(true);
    expect(cloud.calls.find).toBe(0);
  });
});

describe('reads racing each other', () => {
  test('a resync read that started before a newer read does not undo it, nor revive a deleted object', async () => {
    const { cloud, store, events } = setup();
    cloud.createOutOfBand('a', owned('a'));
    cloud.createOutOfBand('b', owned('b'), 1);
    await store.resync();
    events.length = 0;

    // The resync reads both (they are within the budget); those reads see the account as it is now...
    const [a, b] = [cloud.slowNextRead('a'), cloud.slowNextRead('b')];
    const resync = store.resync();
    await Promise.all([a.begun, b.begun]);
    // ...then, before they answer, a is deleted and b resized, and requests read both afresh.
    cloud.deleteOutOfBand('a');
    cloud.resizeOutOfBand('b', 5);
    await expect(store.get('ns', 'a')).rejects.toMatchObject({ code: 404 });
    expect((await store.get('ns', 'b')).spec?.size).toBe(5);
    a.release();
    b.release();
    await resync;

    expect(store.view.get('ns', 'a')).toBeUndefined();
    expect(store.view.get('ns', 'b')?.object.spec?.size).toBe(5);
    expect(events.map((e) => `${e.type} ${e.object.metadata.name} ${String(e.object.spec?.size)}`)).toEqual(['DELETED a 1', 'MODIFIED b 5']);
  });
});

