// The watch wire format: a chunked stream of newline-delimited {"type","object"} events, flushed as
// they happen, in the negotiated shape (the object, a one-row Table, or PartialObjectMetadata), with
// periodic BOOKMARKs when asked and a clean close at timeoutSeconds or shutdown.
import type { Request, Response } from 'express';
import type { Negotiated } from '../api/negotiation.js';
import { partialObjectMetadata, toTable, type IncludeObject } from '../api/table.js';
import { GROUP_VERSION, type KubeObject } from '../api/types.js';
import type { KindDefinition } from '../registry/kind.js';
import type { KindStore } from '../registry/store.js';
import { EncodedEvents } from './event-cache.js';
import { INITIAL_EVENTS_END, type WatchMessage, type WatchRequest } from '../registry/watch.js';

export interface WatchOptions {
  shape: Negotiated['shape'];
  include: IncludeObject;
  timeoutSeconds?: number;
  bookmarkIntervalMs: number;
}

/** The longest delay setTimeout takes (a signed 32-bit number of milliseconds). */
const MAX_TIMER_MS = 2 ** 31 - 1;

function bookmarkObject(kind: KindDefinition, shape: Negotiated['shape'], resourceVersion: string, initialEventsEnd: boolean): unknown {
  const metadata = { resourceVersion, ...(initialEventsEnd ? { annotations: { [INITIAL_EVENTS_END]: 'true' } } : {}) };
  if (shape === 'partial') return partialObjectMetadata(metadata);
  if (shape === 'table') return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: null, rows: [] };
  return { kind: kind.names.kind, apiVersion: GROUP_VERSION, metadata };
}

/**
 * The watch streams one server has open (so its shutdown can end them cleanly), and the encodings
 * they share. One per server: closing one server's watches never touches another's in the process.
 */
export class WatchStreams {
  private readonly open = new Set<() => void>();
  private readonly encodedEvents = new EncodedEvents();

  get size(): number {
    return this.open.size;
  }

  closeAll(): void {
    for (const close of [...this.open]) close();
  }

  serve(req: Request, res: Response, store: KindStore, request: WatchRequest, options: WatchOptions): void {
    serveWatch(req, res, store, request, options, this.open, this.encodedEvents);
  }
}

function serveWatch(req: Request, res: Response, store: KindStore, request: WatchRequest, options: WatchOptions, openWatches: Set<() => void>, encodedEvents: EncodedEvents): void {
  const kind = store.kind;
  // A Table watch sends the column definitions with its first event only (kube's watchEmbeddedEncoder).
  let headersSent = options.shape !== 'table';
  const shape = (object: KubeObject, headers: boolean): unknown => {
    if (options.shape === 'partial') return partialObjectMetadata(object.metadata);
    if (options.shape === 'object') return object;
    return toTable([object], kind.columns, { include: options.include, resourceVersion: object.metadata.resourceVersion, headers });
  };
  const encode = (message: WatchMessage): string => {
    if (message.type === 'ERROR') return JSON.stringify({ type: 'ERROR', object: message.status });
    if (message.type === 'BOOKMARK') return JSON.stringify({ type: 'BOOKMARK', object: bookmarkObject(kind, options.shape, message.resourceVersion, message.initialEventsEnd) });
    if (!headersSent) {
      headersSent = true;
      return JSON.stringify({ type: message.type, object: shape(message.object, true) });
    }
    return encodedEvents.line(message.object, `${message.type} ${options.shape} ${options.include}`, () => JSON.stringify({ type: message.type, object: shape(message.object, false) }));
  };

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  let stop: () => void = () => undefined;
  const close = (): void => {
    if (closed) return;
    closed = true;
    timers.forEach(clearTimeout);
    timers.forEach(clearInterval);
    stop();
    openWatches.delete(close);
    res.end();
  };
  openWatches.add(close);
  req.on('close', close);
  res.on('close', close);

  const send = (message: WatchMessage): void => {
    if (closed) return;
    res.write(`${encode(message)}\n`);
    if (message.type === 'ERROR') setImmediate(close);
  };
  stop = store.watch(request, send);

  // Without timeoutSeconds kube picks 30-60 minutes, so clients reconnect and spread out. Longer than
  // a timer can wait (about 24.8 days) is cut to that: Node would otherwise fire the timer at once.
  const timeoutMs = Math.min((options.timeoutSeconds ?? 1800 * (1 + Math.random())) * 1000, MAX_TIMER_MS);
  timers.push(setTimeout(close, timeoutMs));
  if (request.allowBookmarks) {
    const bookmark = () => send({ type: 'BOOKMARK', resourceVersion: store.currentResourceVersion(), initialEventsEnd: false });
    timers.push(setInterval(bookmark, options.bookmarkIntervalMs));
    // As kube's watch cache: a bookmark shortly before the timeout, so the client resumes from it.
    timers.push(setTimeout(bookmark, Math.max(0, timeoutMs - 2000)));
  }
}
