// A raw watch stream over HTTPS, as client-go's watch decoder sees it: newline-delimited JSON events,
// collected as they arrive, so tests can wait for the ones they expect and check nothing else came.
import { request } from 'node:https';
import type { ObjectMeta } from '../../src/api/types.js';
import { eventually } from './eventually.js';

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  // The object's shape depends on the Accept header (object, Table, PartialObjectMetadata, Status).
  object: { kind?: string; metadata?: ObjectMeta; [field: string]: unknown };
}

export interface WatchTarget {
  url: string;
  ca: string;
  token: string;
}

export interface OpenWatch {
  status: number;
  /** The response body when the server refused the watch (status other than 200). */
  refusal?: unknown;
  events: WatchEvent[];
  /** performance.now() when each event arrived (for the benchmark's latencies). */
  arrivals: number[];
  ended(): boolean;
  /** Waits until an event that satisfies `matches` has arrived (at or after index `from`), and returns it. */
  waitFor(what: string, matches: (event: WatchEvent) => boolean, from?: number): Promise<WatchEvent>;
  /** Waits until the server has closed the stream. */
  waitForEnd(): Promise<void>;
  close(): void;
}

/**
 * Opens a watch. With `parse` false only `arrivals` is kept (the benchmark's thousand watchers, so that
 * decoding their events in one process does not dominate what is measured).
 */
export function openWatch(target: WatchTarget, path: string, headers: Record<string, string> = {}, parse = true): Promise<OpenWatch> {
  return new Promise((resolve, reject) => {
    const events: WatchEvent[] = [];
    const arrivals: number[] = [];
    let ended = false;
    const req = request(`${target.url}${path}`, { ca: target.ca, headers: { Authorization: `Bearer ${target.token}`, ...headers } }, (res) => {
      res.setEncoding('utf8');
      let buffered = '';
      res.on('end', () => (ended = true));
      res.on('close', () => (ended = true));
      const watch: OpenWatch = {
        status: res.statusCode ?? 0,
        events,
        arrivals,
        ended: () => ended,
        waitFor: (what, matches, from = 0) => eventually(what, () => events.slice(from).find(matches)),
        waitForEnd: () => eventually('the server to end the watch', () => ended).then(() => undefined),
        close: () => req.destroy(),
      };
      if (watch.status !== 200) {
        res.on('data', (chunk: string) => (buffered += chunk));
        res.on('end', () => resolve({ ...watch, refusal: buffered ? (JSON.parse(buffered) as unknown) : undefined }));
        return;
      }
      res.on('data', (chunk: string) => {
        const arrived = performance.now();
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (!line.trim()) continue;
          if (parse) events.push(JSON.parse(line) as WatchEvent);
          arrivals.push(arrived);
        }
      });
      resolve(watch);
    });
    req.on('error', (error) => (ended ? undefined : reject(error)));
    req.end();
  });
}
