// The benchmark's view of a running server: authenticated HTTPS calls, watches, and the counters it
// exports on /metrics (AWS calls by operation, request durations, resident memory).
import type { HttpsOptions, HttpsResponse } from '../test/support/https.js';
import { https } from '../test/support/https.js';
import { openWatch, type OpenWatch, type WatchTarget } from '../test/support/watch.js';

export interface Metrics {
  awsCalls: number;
  /** AWS calls by operation, e.g. `DescribeTableCommand`. */
  awsCallsBy: Record<string, number>;
  /** AWS calls by caller: request, resync, event. */
  awsCallsByCaller: Record<string, number>;
  listSeconds: { sum: number; count: number };
  /** Full resyncs of the benchmark's kind (every kind is resynced once per round). */
  fullResyncs: { sum: number; count: number };
  residentBytes: number;
}

function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => wanted.every((label) => line.includes(label)))
    .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

export class ServerClient {
  /** Our server, or kube-apiserver (a bearer token of its static token file). */
  constructor(private readonly server: WatchTarget) {}

  call(path: string, options: Omit<HttpsOptions, 'ca'> = {}): Promise<HttpsResponse> {
    return https(`${this.server.url}${path}`, { ...options, ca: this.server.ca, headers: { Authorization: `Bearer ${this.server.token}`, ...options.headers } });
  }

  watch(path: string, parse = true): Promise<OpenWatch> {
    return openWatch({ url: this.server.url, ca: this.server.ca, token: this.server.token }, path, {}, parse);
  }

  async metrics(): Promise<Metrics> {
    const text = (await this.call('/metrics')).body;
    const awsCallsBy: Record<string, number> = {};
    for (const match of text.matchAll(/^aws_api_calls_total\{[^}]*operation="([^"]+)"[^}]*\} (\S+)$/gm)) awsCallsBy[match[1]] = (awsCallsBy[match[1]] ?? 0) + Number(match[2]);
    const awsCallsByCaller: Record<string, number> = {};
    for (const match of text.matchAll(/^aws_api_calls_total\{[^}]*caller="([^"]+)"[^}]*\} (\S+)$/gm)) awsCallsByCaller[match[1]] = (awsCallsByCaller[match[1]] ?? 0) + Number(match[2]);
    const list = { verb: 'list', resource: 'dynamodbs' };
    return {
      awsCalls: Object.values(awsCallsBy).reduce((a, b) => a + b, 0),
      awsCallsBy,
      awsCallsByCaller,
      listSeconds: { sum: sample(text, 'apiserver_request_duration_seconds_sum', list), count: sample(text, 'apiserver_request_duration_seconds_count', list) },
      fullResyncs: {
        sum: sample(text, 'resync_duration_seconds_sum', { resource: 'dynamodbs', type: 'full' }),
        count: sample(text, 'resync_duration_seconds_count', { resource: 'dynamodbs', type: 'full' }),
      },
      residentBytes: sample(text, 'process_resident_memory_bytes'),
    };
  }
}
