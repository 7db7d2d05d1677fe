// Prometheus metrics (prom-client), served on /metrics: requests by verb/resource/code and latency,
// AWS calls by operation, resync durations, open watches, and objects held in the view per kind.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'apiserver_request_total', help: 'Requests by verb, resource and HTTP code.', labelNames: ['verb', 'resource', 'code'], registers: [this.registry] });
  readonly latency = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Request latency by verb and resource (watches excluded).',
    labelNames: ['verb', 'resource'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly resyncs = new Histogram({
    name: 'resync_duration_seconds',
    help: 'Completed re-reads of AWS by resource and type (full: listing plus reads; transitional: objects AWS is changing).',
    labelNames: ['resource', 'type'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly awsCalls = new Counter({ name: 'aws_api_calls_total', help: 'AWS API calls by service and operation.', labelNames: ['service', 'operation'], registers: [this.registry] });

  constructor(openWatches: () => number, objects: () => Record<string, number>) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({ name: 'apiserver_watch_connections', help: 'Open watch streams.', registers: [this.registry], collect() { this.set(openWatches()); } });
    new Gauge({
      name: 'apiserver_cached_objects',
      help: 'Objects held in the in-memory view, by resource.',
      labelNames: ['resource'],
      registers: [this.registry],
      collect() {
        for (const [resource, count] of Object.entries(objects())) this.set({ resource }, count);
      },
    });
  }
}
