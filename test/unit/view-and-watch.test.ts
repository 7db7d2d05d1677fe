import { parseFieldSelector, parseLabelSelector } from '../../src/api/selectors.js';
import type { KubeObject } from '../../src/api/types.js';
import { EventLog } from '../../src/registry/event-log.js';
import { ResourceVersionClock } from '../../src/registry/resource-version.js';
import { ObjectView } from '../../src/registry/view.js';
import { startWatch, type WatchMessage, type WatchRequest } from '../../src/registry/watch.js';

let now = 1_000;
const clock = () => new ResourceVersionClock(() => now);

function object(name: string, labels: Record<string, string> = {}, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', metadata: { name, namespace: 'ns', labels }, spec };
}

function setup(capacity = 100) {
  const c = clock();
  const log = new EventLog(c.origin, capacity);
  const view = new ObjectView(c, log);
  return { clock: c, log, view };
}

const everything: Omit<WatchRequest, 'resourceVersion'> = { labelSelector: parseLabelSelector(''), fieldSelector: parseFieldSelector(''), allowBookmarks: true };

function collect(sources: ReturnType<typeof setup>, request: WatchRequest): { messages: WatchMessage[]; stop: () => void } {
  const messages: WatchMessage[] = [];
  const stop = startWatch({ ...sources }, request, (m) => messages.push(m));
  return { messages, stop };
}

const summary = (messages: WatchMessage[]) => messages.map((m) => (m.type === 'ERROR' ? `ERROR ${m.status.code}` : m.type === 'BOOKMARK' ? `BOOKMARK ${m.initialEventsEnd}` : `${m.type} ${m.object.metadata.name}`));

describe('resourceVersion clock', () => {
  test('strictly increases, and a restarted clock starts above every earlier version', () => {
    const first = clock();
    const a = first.next();
    const b = first.next();
    expect(b).toBeGreaterThan(a);
    now += 1;
    expect(clock().origin).toBeGreaterThan(b);
  });
});

describe('the view', () => {
  test('issues a new resourceVersion exactly when the object changes', () => {
    const { view } = setup();
    const first = view.commit('t1', object('a'));
    expect(view.commit('t1', object('a')).metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const changed = view.commit('t1', object('a', {}, { n: 1 }));
    expect(Number(changed.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion));
  });

  test('records ADDED, MODIFIED (with the previous state) and DELETED', () => {
    const { view, log, clock: c } = setup();
    view.commit('t1', object('a'));
    view.commit('t1', object('a', { x: '1' }));
    view.remove('ns', 'a');
    const events = log.since(c.origin) ?? [];
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(events[1].previous?.metadata.labels).toEqual({});
  });
});

describe('watch', () => {
  test('from "now" sends the current objects as ADDED, then changes', () => {
    const sources = setup();
    sources.view.commit('t1', object('a'));
    const { messages } = collect(sources, { ...everything, resourceVersion: '0' });
    sources.view.commit('t2', object('b'));
    expect(summary(messages)).toEqual(['ADDED a', 'ADDED b']);
  });

  test('from a list resourceVersion sends every later change exactly once, in order', () => {
    const sources = setup();
    sources.view.commit('t1', object('a'));
    const listed = String(sources.clock.current());
    sources.view.commit('t1', object('a', { x: '1' }));
    sources.view.commit('t2', object('b'));
    const { messages } = collect(sources, { ...everything, resourceVersion: listed });
    sources.view.remove('ns', 'a');
    expect(summary(messages)).toEqual(['MODIFIED a', 'ADDED b', 'DELETED a']);
  });

  test('sendInitialEvents ends the initial objects with the initial-events-end bookmark', () => {
    const sources = setup();
    sources.view.commit('t1', object('a'));
    const { messages } = collect(sources, { ...everything, sendInitialEvents: true });
    expect(summary(messages)).toEqual(['ADDED a', 'BOOKMARK true']);
    // As in kube-apiserver, that bookmark is only for clients that accept bookmarks.
    expect(summary(collect(sources, { ...everything, sendInitialEvents: true, allowBookmarks: false }).messages)).toEqual(['ADDED a']);
  });

  test('sendInitialEvents=false from "now" sends only later changes', () => {
    const sources = setup();
    sources.view.commit('t1', object('a'));
    const { messages } = collect(sources, { ...everything, resourceVersion: '0', sendInitialEvents: false });
    sources.view.commit('t2', object('b'));
    expect(summary(messages)).toEqual(['ADDED b']);
  });

  test('an object that stops matching the selector is DELETED for that watcher, and ADDED when it matches again', () => {
    const sources = setup();
    sources.view.commit('t1', object('a', { team: 'x' }));
    const { messages } = collect(sources, { ...everything, labelSelector: parseLabelSelector('team=x'), resourceVersion: String(sources.clock.current()) });
    sources.view.commit('t1', object('a', { team: 'y' }));
    sources.view.commit('t1', object('a', { team: 'x' }));
    expect(summary(messages)).toEqual(['DELETED a', 'ADDED a']);
  });

  test('a version older than the history held, or from before a restart, is 410 Expired', () => {
    const sources = setup(2);
    const before = String(sources.clock.origin - 1);
    ['a', 'b', 'c'].forEach((n) => sources.view.commit(n, object(n)));
    expect(summary(collect(sources, { ...everything, resourceVersion: before }).messages)).toEqual(['ERROR 410']);
    expect(summary(collect(sources, { ...everything, resourceVersion: String(sources.clock.origin) }).messages)).toEqual(['ERROR 410']);
  });

  test('stopping a watch stops its events', () => {
    const sources = setup();
    const { messages, stop } = collect(sources, { ...everything, resourceVersion: '0' });
    stop();
    sources.view.commit('t1', object('a'));
    expect(messages).toEqual([]);
  });
});
