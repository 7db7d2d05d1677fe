// Prometheus metrics (prom-client), served on /metrics: requests by verb/resource/code and latency,
// AWS calls by service, operation and caller (request, resync, event), failures and throttled
// attempts, the background call budget, resync durations and when each kind last finished one, how
// stale the view can be (the oldest read per kind), change events, open watches, objects held in the
// view per kind, and whether this replica is ready and serving. deploy/monitoring/ holds the dashboard and alerts built on these names.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsSources {
  openWatches: () => number;
  objects: () => Record<string, number>;
  /** Why /readyz fails now, or undefined when ready. */
  notReady: () => string | undefined;
  /** Why resource requests are refused now (not the leader), or undefined when serving. */
  notServing: () => string | undefined;
  /** Per resource: seconds since the object read longest ago was read (0 for none). */
  oldestReadAge?: () => Record<string, number>;
  /** Background calls waiting for the call budget, by lane; and its backoff so far. */
  budget?: () => { queued: Record<string, number>; backoffs: number; pausedSeconds: number };
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
  readonly awsCalls = new Counter({
    name: 'aws_api_calls_total',
    help: 'AWS API calls by service, operation and caller (request: a client verb; resync; event: a re-read a change event asked for).',
    labelNames: ['service', 'operation', 'caller'],
    registers: [this.registry],
  });
  readonly changeEvents = new Counter({ name: 'change_events_received_total', help: 'Messages received from the change-event queue, by whether they were AWS API call events.', labelNames: ['type'], registers: [this.registry] });
  readonly changeRereads = new Counter({ name: 'change_events_rereads_total', help: 'Re-reads change events caused, by resource and what was re-read (object, or relist of the kind).', labelNames: ['resource', 'what'], registers: [this.registry] });
  readonly changePolled = new Gauge({ name: 'change_events_last_poll_timestamp_seconds', help: 'When the last poll of the change-event queue finished (Unix seconds).', registers: [this.registry] });
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
    new Gauge({
      name: 'apiserver_oldest_read_age_seconds',
      help: 'Per resource, seconds since the object read from AWS longest ago was read: how stale a change tags and events do not show can be.',
      labelNames: ['resource'],
      registers: [this.registry],
      collect() {
        for (const [resource, age] of Object.entries(sources.oldestReadAge?.() ?? {})) this.set({ resource }, age);
      },
    });
    const budget = sources.budget;
    if (budget) {
      new Gauge({
        name: 'aws_call_budget_queued_calls',
        help: 'Background AWS calls waiting for the call budget, by lane (resource).',
        labelNames: ['lane'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const [lane, queued] of Object.entries(budget().queued)) this.set({ lane }, queued);
        },
      });
      new Gauge({ name: 'aws_call_budget_backoffs', help: 'Times AWS throttled a background call and they all backed off.', registers: [this.registry], collect() { this.set(budget().backoffs); } });
      new Gauge({ name: 'aws_call_budget_paused_seconds', help: 'Seconds background calls were paused by backoff, in all.', registers: [this.registry], collect() { this.set(budget().pausedSeconds); } });
    }
    new Gauge({ name: 'apiserver_ready', help: '1 when /readyz succeeds.', registers: [this.registry], collect() { this.set(flag(!sources.notReady())); } });
    new Gauge({ name: 'apiserver_serving', help: '1 when this replica serves resource requests (the leader, or the only replica).', registers: [this.registry], collect() { this.set(flag(!sources.notServing())); } });
  }
}
