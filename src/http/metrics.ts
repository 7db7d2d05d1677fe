// Prometheus metrics (prom-client), served on /metrics: requests by verb/resource/code and latency,
// AWS calls, failures and throttled attempts by service and operation, resync durations and when each
// kind last finished one, open watches, objects held in the view per kind, and whether this replica
// is ready and serving. deploy/monitoring/ holds the dashboard and alerts built on these names.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsSources {
  openWatches: () => number;
  objects: () => Record<string, number>;
  /** Why /readyz fails now, or undefined when ready. */
  notReady: () => string | undefined;
  /** Why resource requests are refused now (not the leader), or undefined when serving. */
  notServing: () => string | undefined;
}

const flag = (on: boolean): number => (on ? 1 : 0);

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
  readonly lastFullResync = new Gauge({
    name: 'resync_last_success_timestamp_seconds',
    help: 'When the last full re-read of AWS for a resource finished (Unix seconds): how stale out-of-band changes can be.',
    labelNames: ['resource'],
    registers: [this.registry],
  });
  readonly awsCalls = new Counter({ name: 'aws_api_calls_total', help: 'AWS API calls by service and operation.', labelNames: ['service', 'operation'], registers: [this.registry] });
  readonly awsErrors = new Counter({
    name: 'aws_api_errors_total',
    help: 'AWS API calls that failed after the SDK retries, by service, operation and AWS error code.',
    labelNames: ['service', 'operation', 'code'],
    registers: [this.registry],
  });
  readonly awsThrottled = new Counter({
    name: 'aws_api_throttled_attempts_total',
    help: 'Attempts AWS throttled (each retry counts), by service and operation.',
    labelNames: ['service', 'operation'],
    registers: [this.registry],
  });

  constructor(sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({ name: 'apiserver_watch_connections', help: 'Open watch streams.', registers: [this.registry], collect() { this.set(sources.openWatches()); } });
    new Gauge({
      name: 'apiserver_cached_objects',
      help: 'Objects held in the in-memory view, by resource.',
      labelNames: ['resource'],
      registers: [this.registry],
      collect() {
        for (const [resource, count] of Object.entries(sources.objects())) this.set({ resource }, count);
      },
    });
    new Gauge({ name: 'apiserver_ready', help: '1 when /readyz succeeds.', registers: [this.registry], collect() { this.set(flag(!sources.notReady())); } });
    new Gauge({ name: 'apiserver_serving', help: '1 when this replica serves resource requests (the leader, or the only replica).', registers: [this.registry], collect() { this.set(flag(!sources.notServing())); } });
  }
}
