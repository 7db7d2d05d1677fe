// deploy/monitoring/: every metric the Grafana dashboard and the Prometheus alerts query is one the
// server's /metrics really exports (scraped from a server against moto, after a request that makes an
// AWS call fail, so that labelled error series exist too). Prometheus' own `up` is the one exception.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';

let env: TestEnvironment;
let exported: Set<string>;

/** Series Prometheus makes itself for every scrape target. */
const PROMETHEUS_SERIES = new Set(['up']);
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression reads: what is left once strings, label matchers, range and
 * subquery brackets, grouping clauses, numbers and function calls are taken out.
 */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)].filter((m) => !m[2] && !KEYWORDS.has(m[1].toLowerCase())).map((m) => m[1]);
  return [...new Set(names)];
}

/** Names /metrics exports: each family, and for histograms and summaries their _bucket/_sum/_count series. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === 'histogram') ['_bucket', '_sum', '_count'].forEach((suffix) => names.add(name + suffix));
    if (type === 'summary') ['_sum', '_count'].forEach((suffix) => names.add(name + suffix));
  }
  return names;
}

interface Dashboard {
  panels: { title: string; type: string; targets?: { expr: string }[] }[];
  templating: { list: { query?: string | { query: string } }[] };
}

function dashboardQueries(): string[] {
  const dashboard = JSON.parse(readFileSync('deploy/monitoring/grafana-dashboard.json', 'utf8')) as Dashboard;
  const panels = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  const variables = dashboard.templating.list
    .map((v) => (typeof v.query === 'object' ? v.query.query : v.query) ?? '')
    .map((q) => /^label_values\(([^,)]+)/.exec(q)?.[1])
    .filter((q): q is string => q !== undefined);
  return [...panels, ...variables];
}

interface RuleFile {
  groups: { name: string; rules: { alert: string; expr: string; for: string; labels: { severity: string }; annotations: { summary: string } }[] }[];
}

const rules = (parse(readFileSync('deploy/monitoring/prometheus-rules.yaml', 'utf8')) as RuleFile).groups.flatMap((g) => g.rules);

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'monitoring' });
  // A GET of an object that does not exist makes a DescribeTable fail: aws_api_errors_total has a series.
  expect((await env.request('/apis/service-operator.aws/v1alpha1/namespaces/default/dynamodbs/none')).status).toBe(404);
  exported = exportedNames((await env.request('/metrics')).body);
});

afterAll(async () => {
  await env?.stop();
});

test('the expression parser finds the metrics and nothing else', () => {
  expect(metricNames('histogram_quantile(0.99, sum by (le, verb) (rate(x_bucket{job=~"$job",verb="a"}[5m]))) > 2')).toEqual(['x_bucket']);
  expect(metricNames('time() - max by (resource) (y{job="j"}) > 300 and on(instance) z')).toEqual(['y', 'z']);
});

test('every dashboard query names exported metrics', () => {
  const queries = dashboardQueries();
  expect(queries.length).toBeGreaterThan(15);
  const missing = queries.flatMap(metricNames).filter((name) => !exported.has(name) && !PROMETHEUS_SERIES.has(name));
  expect(missing).toEqual([]);
});

test('every alert names exported metrics, and has a severity, a summary and a duration', () => {
  expect(rules.length).toBeGreaterThanOrEqual(6);
  for (const rule of rules) {
    expect([rule.alert, rule.labels?.severity, typeof rule.annotations?.summary, /^\d+m$/.test(rule.for)]).toEqual([rule.alert, expect.stringMatching(/^(critical|warning)$/), 'string', true]);
    expect([rule.alert, metricNames(rule.expr).filter((name) => !exported.has(name) && !PROMETHEUS_SERIES.has(name))]).toEqual([rule.alert, []]);
  }
});

test('the dashboard covers what operators look at', () => {
  const used = new Set(dashboardQueries().flatMap(metricNames));
  for (const metric of ['apiserver_request_total', 'apiserver_request_duration_seconds_bucket', 'aws_api_errors_total', 'aws_api_throttled_attempts_total', 'resync_last_success_timestamp_seconds', 'apiserver_watch_connections']) {
    expect([metric, used.has(metric)]).toEqual([metric, true]);
  }
});
