// Watch semantics over the event log, as kube-apiserver's watch cache gives them: synthetic ADDED
// events for a watch from "now" (resourceVersion unset or 0, or sendInitialEvents), exact resumption
// from a resourceVersion, 410 Expired when that history is gone, and filtering where an object that
// stops matching the selectors is a DELETED for that watcher.
import { expired } from '../api/errors.js';
import type { Status } from '../api/errors.js';
import type { FieldSelector, Selector } from '../api/selectors.js';
import type { KubeObject } from '../api/types.js';
import type { ChangeEvent, EventLog, EventType } from './event-log.js';
import { parseResourceVersion, type ResourceVersionClock } from './resource-version.js';
import type { ObjectView } from './view.js';

export interface WatchRequest {
  namespace?: string;
  labelSelector: Selector;
  fieldSelector: FieldSelector;
  /** As sent; undefined when absent. */
  resourceVersion?: string;
  /**
   * true: the current objects as ADDED, then (with bookmarks allowed) the initial-events-end bookmark.
   * false: no initial events, even from "now". Absent: initial events exactly for a watch from "now"
   * (resourceVersion unset or "0"), the legacy behaviour kubectl relies on.
   */
  sendInitialEvents?: boolean;
  allowBookmarks: boolean;
}

export type WatchMessage =
  | { type: EventType; object: KubeObject }
  | { type: 'BOOKMARK'; resourceVersion: string; initialEventsEnd: boolean }
  | { type: 'ERROR'; status: Status };

export type WatchSink = (message: WatchMessage) => void;

/** Annotation on the bookmark that ends the initial events of a sendInitialEvents watch. */
export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

function matcher(request: WatchRequest): (object: KubeObject | undefined) => boolean {
  return (object) =>
    object !== undefined &&
    (request.namespace === undefined || object.metadata.namespace === request.namespace) &&
    request.labelSelector(object.metadata.labels ?? {}) &&
    request.fieldSelector.matches(object);
}

/** What one watcher sees of one change, or undefined when the change is not its business. */
function project(event: ChangeEvent, matches: (object: KubeObject | undefined) => boolean): WatchMessage | undefined {
  const now = matches(event.object);
  if (event.type === 'DELETED') return now ? { type: 'DELETED', object: event.object } : undefined;
  if (event.type === 'ADDED') return now ? { type: 'ADDED', object: event.object } : undefined;
  const before = matches(event.previous);
  if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: event.object };
  return before ? { type: 'DELETED', object: event.object } : undefined;
}

export interface WatchSources {
  view: ObjectView;
  log: EventLog;
  clock: ResourceVersionClock;
}

/**
 * Starts a watch: sends what the request asks to see first, then every later matching change.
 * Returns the function that stops it. An unusable resourceVersion ends in one ERROR message.
 */
export function startWatch(sources: WatchSources, request: WatchRequest, sink: WatchSink): () => void {
  const matches = matcher(request);
  const fromNow = request.resourceVersion === undefined || request.resourceVersion === '' || request.resourceVersion === '0';
  if (request.sendInitialEvents ?? fromNow) {
    for (const entry of sources.view.list()) if (matches(entry.object)) sink({ type: 'ADDED', object: entry.object });
    if (request.sendInitialEvents && request.allowBookmarks) sink({ type: 'BOOKMARK', resourceVersion: String(sources.clock.current()), initialEventsEnd: true });
  } else if (!fromNow) {
    const from = parseResourceVersion(request.resourceVersion as string);
    const backlog = from !== undefined && from <= sources.clock.current() ? sources.log.since(from) : undefined;
    if (!backlog) {
      sink({ type: 'ERROR', status: expired(`too old resource version: ${request.resourceVersion} (${sources.log.oldest})`).toStatus() });
      return () => undefined;
    }
    for (const event of backlog) {
      const message = project(event, matches);
      if (message) sink(message);
    }
  }
  return sources.log.subscribe((event) => {
    const message = project(event, matches);
    if (message) sink(message);
  });
}
