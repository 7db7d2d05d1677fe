// List and watch options: kube-apiserver's validation messages, and which resourceVersion a list may
// claim for each resourceVersion/resourceVersionMatch a client sends.
import { StatusError } from '../../src/api/errors.js';
import type { KubeObject } from '../../src/api/types.js';
import { parseListOptions } from '../../src/http/list-options.js';
import { EventLog } from '../../src/registry/event-log.js';
import { listResourceVersion } from '../../src/registry/list-version.js';
import { ResourceVersionClock } from '../../src/registry/resource-version.js';
import { ObjectView } from '../../src/registry/view.js';

function refusal(query: string, watch: boolean): { code: number; message: string } | undefined {
  try {
    parseListOptions(new URLSearchParams(query), watch);
    return undefined;
  } catch (error) {
    if (!(error instanceof StatusError)) throw error;
    return { code: error.code, message: error.message };
  }
}

describe('list and watch options', () => {
  test.each([
    ['resourceVersionMatch=Exact', false, 422, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'],
    ['resourceVersion=5&resourceVersionMatch=Newest', false, 422, 'resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""'],
    ['resourceVersion=0&resourceVersionMatch=Exact', false, 422, 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'],
    ['sendInitialEvents=true', false, 422, 'sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list'],
    ['continue=abc&resourceVersion=5', false, 400, 'specifying resource version is not allowed when using continue'],
    ['resourceVersion=abc', false, 400, 'invalid resource version: "abc"'],
    ['resourceVersionMatch=NotOlderThan', true, 422, 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'],
    ['sendInitialEvents=true', true, 422, 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'],
    ['sendInitialEvents=true&resourceVersionMatch=Exact', true, 422, 'resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"'],
  ])('%s (watch: %s) is %i', (query, watch, code, message) => {
    const answer = refusal(query, watch);
    expect(answer?.code).toBe(code);
    expect(answer?.message).toContain(message);
  });

  test('valid combinations parse, keeping an absent sendInitialEvents apart from false', () => {
    expect(parseListOptions(new URLSearchParams('resourceVersion=0&limit=500'), false)).toEqual({ resourceVersion: '0', limit: 500, allowWatchBookmarks: false });
    expect(parseListOptions(new URLSearchParams('sendInitialEvents=false&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true'), true)).toMatchObject({
      sendInitialEvents: false,
      allowWatchBookmarks: true,
    });
    expect(parseListOptions(new URLSearchParams('timeoutSeconds=0'), true).timeoutSeconds).toBeUndefined();
  });
});

describe('the resourceVersion a list is served at', () => {
  let now = 5_000;
  function setup() {
    const clock = new ResourceVersionClock(() => now);
    const log = new EventLog(clock.origin, 100);
    const view = new ObjectView(clock, log);
    const object = (name: string): KubeObject => ({ apiVersion: 'v', kind: 'K', metadata: { name, namespace: 'ns' } });
    return { clock, log, view, object };
  }
  const served = (s: ReturnType<typeof setup>, resourceVersion?: string, resourceVersionMatch?: 'Exact' | 'NotOlderThan') =>
    listResourceVersion({ ...(resourceVersion ? { resourceVersion } : {}), ...(resourceVersionMatch ? { resourceVersionMatch } : {}) }, s.clock, s.log);
  const status = (run: () => unknown) => {
    try {
      run();
      return undefined;
    } catch (error) {
      return error instanceof StatusError ? error.toStatus() : error;
    }
  };

  test('unset, "0" and NotOlderThan an issued version: the current version', () => {
    const s = setup();
    const first = s.view.commit('a', s.object('a')).metadata.resourceVersion as string;
    s.view.commit('b', s.object('b'));
    const current = String(s.clock.current());
    expect([served(s), served(s, '0'), served(s, first), served(s, first, 'NotOlderThan')]).toEqual([current, current, current, current]);
  });

  test('a version never issued is 504 Too large resource version, which client-go recognises', () => {
    const s = setup();
    const ahead = String(s.clock.current() + 10);
    expect(status(() => served(s, ahead))).toMatchObject({ code: 504, reason: 'Timeout', details: { causes: [{ reason: 'ResourceVersionTooLarge' }] } });
  });

  test('Exact: served while nothing of the kind changed since, else 410 Expired', () => {
    const s = setup();
    const first = s.view.commit('a', s.object('a')).metadata.resourceVersion as string;
    expect(served(s, first, 'Exact')).toBe(first);
    s.view.commit('b', s.object('b'));
    expect(status(() => served(s, first, 'Exact'))).toMatchObject({ code: 410, reason: 'Expired' });
    now += 1;
    const beforeRestart = setup();
    expect(status(() => served(beforeRestart, first, 'Exact'))).toMatchObject({ code: 410 });
  });
});
