// Command-line flags (with environment fallbacks) and their defaults. `--help` prints this list.
import { parseArgs } from 'node:util';

export interface Config {
  port: number;
  bindAddress: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  clusterName: string;
  region: string;
  /** The cluster-level map of namespaces to AWS accounts (aws/accounts/mapping.ts), a JSON file. */
  accountMapFile?: string;
  writeKubeconfig?: string;
  /** Force the embedded moto_server even when AWS is configured. */
  localAws: boolean;
  /** Where the embedded moto_server keeps its state across restarts. */
  localStateDir: string;
  /** Discard the embedded moto_server's saved state and start empty. */
  fresh: boolean;
  resyncPeriodMs: number;
  transitionalResyncPeriodMs: number;
  resyncReadBudget: number;
  awsWaitTimeoutMs: number;
  /** Everything one request asks of AWS must be done by then (else 504). */
  requestTimeoutMs: number;
  /** One attempt of one AWS call (the SDK retries a timed-out attempt). */
  awsCallTimeoutMs: number;
  eventWindow: number;
  bookmarkIntervalMs: number;
  token?: string;
  certsDir: string;
  /** The cluster to delegate to when not running in a pod (in a pod: its service account). */
  kubeconfig?: string;
  tokenCacheTtlMs: number;
  authorizedCacheTtlMs: number;
  unauthorizedCacheTtlMs: number;
  leaderElection: LeaderElectionFlags;
  /** Background AWS calls (resync, event re-reads) per minute; 0: no limit. */
  awsCallBudget: number;
  changeEvents: ChangeEventFlags;
}

/** Change-driven drift detection: CloudTrail's events of AWS calls, from EventBridge through an SQS queue. */
export interface ChangeEventFlags {
  enabled: boolean;
  /** The SQS queue the events arrive in. */
  queueName: string;
  /** Create (or bring up to date) the queue, its policy and the EventBridge rule; else only read the queue. */
  setup: boolean;
}

/** The full resync's default period: a safety net only when change events flow. */
const RESYNC_SECONDS = 30;
const RESYNC_SECONDS_WITH_EVENTS = 1800;

export interface LeaderElectionFlags {
  enabled: boolean;
  leaseName: string;
  /** Default: the namespace of the server's service account (or kubeconfig context). */
  leaseNamespace?: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export const USAGE = `Usage: npm start -- [flags]

  --port N                       HTTPS port (default 8443; env PORT)
  --bind-address ADDR            address to listen on (default 127.0.0.1; 0.0.0.0 in a pod)
  --tls-cert-file FILE           serving certificate (default: generated under certs/local/)
  --tls-private-key-file FILE    its private key
  --cluster-name NAME            this cluster's name in AWS ownership tags (default local; env CLUSTER_NAME)
  --region REGION                AWS region (default AWS_REGION, else us-east-1)
  --account-map FILE             which IAM roles (accounts) and regions each namespace may use, JSON
                                 (docs/security.md; default: every namespace in the server's account;
                                 env ACCOUNT_MAP_FILE)
  --write-kubeconfig PATH        write a kubeconfig for direct access to PATH (default ./local.kubeconfig when local)
  --token TOKEN                  the bearer token that kubeconfig carries (default: random)
  --local-aws                    use an embedded moto_server even if AWS is configured
  --local-state-dir DIR          where the embedded moto_server keeps its state, so that what you
                                 create survives restarts (default ./.local-aws)
  --fresh                        discard that saved state and start the embedded moto_server empty
  --resync-period SECONDS        full re-read of AWS (default 30; 1800 with --change-events true)
  --transitional-resync-period SECONDS
                                 re-read of objects AWS is still changing (default 2)
  --resync-read-budget N         objects per kind each resync re-reads although their tags show no
                                 change, stalest first, to catch changes tags do not show (default 100)
  --aws-wait-timeout SECONDS     how long a write waits for AWS (e.g. table ACTIVE) (default 25)
  --request-timeout SECONDS      deadline for all AWS calls of one request; past it the request
                                 answers 504 and calls in flight are aborted (default 50)
  --aws-call-timeout SECONDS     timeout of one attempt of one AWS call, connecting included; the SDK
                                 retries a timed-out attempt (default 10)
  --event-window N               changes kept for resuming watches (default 10000)
  --bookmark-interval SECONDS    BOOKMARK period for watches that allow them (default 60)
  --aws-call-budget N            AWS calls per minute background reads (resync, change events) may
                                 make, shared fairly by kind; 0 for no limit (default 6000)
  --change-events true|false     re-read exactly what AWS change events (CloudTrail via EventBridge
                                 and SQS) name, within seconds; needs a trail (default false)
  --change-events-queue NAME     the SQS queue they arrive in (default aws-service-apiserver-CLUSTER)
  --change-events-setup true|false
                                 create the queue, its policy and the EventBridge rule, or only read a
                                 queue set up beforehand (default true)

Cluster mode (in a pod, or with --kubeconfig): delegated authentication and authorization, outputs
ConfigMaps, namespace lifecycle checks, leader election. Without a cluster: local mode (--token).
  --kubeconfig PATH              the cluster to delegate to when not running in a pod
  --authentication-token-webhook-cache-ttl SECONDS
                                 how long TokenReview answers are cached (default 10)
  --authorization-webhook-cache-authorized-ttl SECONDS
                                 how long allowed SubjectAccessReview answers are cached (default 10)
  --authorization-webhook-cache-unauthorized-ttl SECONDS
                                 how long denied SubjectAccessReview answers are cached (default 10)
  --leader-elect true|false      only the Lease holder serves resources; followers answer 503 (default true)
  --leader-elect-resource-name NAME
                                 the Lease (default aws-service-apiserver)
  --leader-elect-resource-namespace NS
                                 its namespace (default: the server's own namespace)
  --leader-elect-lease-duration SECONDS  (default 15)
  --leader-elect-renew-deadline SECONDS  (default 10)
  --leader-elect-retry-period SECONDS    (default 2)
`;

const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/;

function seconds(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback * 1000;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number of seconds, got ${JSON.stringify(value)}`);
  return n * 1000;
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Config | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      port: { type: 'string' },
      'bind-address': { type: 'string' },
      'tls-cert-file': { type: 'string' },
      'tls-private-key-file': { type: 'string' },
      'cluster-name': { type: 'string' },
      region: { type: 'string' },
      'account-map': { type: 'string' },
      'write-kubeconfig': { type: 'string' },
      token: { type: 'string' },
      'local-aws': { type: 'boolean' },
      'local-state-dir': { type: 'string' },
      fresh: { type: 'boolean' },
      'resync-period': { type: 'string' },
      'transitional-resync-period': { type: 'string' },
      'resync-read-budget': { type: 'string' },
      'aws-wait-timeout': { type: 'string' },
      'request-timeout': { type: 'string' },
      'aws-call-timeout': { type: 'string' },
      'event-window': { type: 'string' },
      'bookmark-interval': { type: 'string' },
      'certs-dir': { type: 'string' },
      kubeconfig: { type: 'string' },
      'authentication-token-webhook-cache-ttl': { type: 'string' },
      'authorization-webhook-cache-authorized-ttl': { type: 'string' },
      'authorization-webhook-cache-unauthorized-ttl': { type: 'string' },
      'leader-elect': { type: 'string' },
      'leader-elect-resource-name': { type: 'string' },
      'leader-elect-resource-namespace': { type: 'string' },
      'leader-elect-lease-duration': { type: 'string' },
      'leader-elect-renew-deadline': { type: 'string' },
      'leader-elect-retry-period': { type: 'string' },
      'aws-call-budget': { type: 'string' },
      'change-events': { type: 'string' },
      'change-events-queue': { type: 'string' },
      'change-events-setup': { type: 'string' },
    },
  });
  if (values.help) return 'help';
  const port = Number(values.port ?? env.PORT ?? 8443);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port must be 1-65535, got ${values.port}`);
  const clusterName = values['cluster-name'] ?? env.CLUSTER_NAME ?? 'local';
  if (!CLUSTER_NAME.test(clusterName)) throw new Error(`--cluster-name must be a lowercase DNS label of at most 40 characters, got ${JSON.stringify(clusterName)}`);
  if (Boolean(values['tls-cert-file']) !== Boolean(values['tls-private-key-file'])) throw new Error('--tls-cert-file and --tls-private-key-file go together');
  const eventWindow = Number(values['event-window'] ?? 10000);
  if (!Number.isInteger(eventWindow) || eventWindow < 100) throw new Error('--event-window must be an integer of at least 100');
  const resyncReadBudget = Number(values['resync-read-budget'] ?? 100);
  if (!Number.isInteger(resyncReadBudget) || resyncReadBudget < 0) throw new Error('--resync-read-budget must be a non-negative integer');
  const awsCallBudget = Number(values['aws-call-budget'] ?? 6000);
  if (!Number.isInteger(awsCallBudget) || awsCallBudget < 0) throw new Error('--aws-call-budget must be a non-negative integer (calls per minute)');
  const changeEvents = changeEventFlags(values, clusterName);
  return {
    port,
    bindAddress: values['bind-address'] ?? '127.0.0.1',
    ...(values['tls-cert-file'] ? { tlsCertFile: values['tls-cert-file'], tlsKeyFile: values['tls-private-key-file'] } : {}),
    clusterName,
    region: values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(values['account-map'] || env.ACCOUNT_MAP_FILE ? { accountMapFile: values['account-map'] ?? env.ACCOUNT_MAP_FILE } : {}),
    ...(values['write-kubeconfig'] ? { writeKubeconfig: values['write-kubeconfig'] } : {}),
    localAws: values['local-aws'] ?? false,
    localStateDir: values['local-state-dir'] ?? '.local-aws',
    fresh: values.fresh ?? false,
    resyncPeriodMs: seconds(values['resync-period'], changeEvents.enabled ? RESYNC_SECONDS_WITH_EVENTS : RESYNC_SECONDS, '--resync-period'),
    transitionalResyncPeriodMs: seconds(values['transitional-resync-period'], 2, '--transitional-resync-period'),
    resyncReadBudget,
    awsWaitTimeoutMs: seconds(values['aws-wait-timeout'], 25, '--aws-wait-timeout'),
    requestTimeoutMs: seconds(values['request-timeout'], 50, '--request-timeout'),
    awsCallTimeoutMs: seconds(values['aws-call-timeout'], 10, '--aws-call-timeout'),
    eventWindow,
    bookmarkIntervalMs: seconds(values['bookmark-interval'], 60, '--bookmark-interval'),
    ...(values.token ? { token: values.token } : {}),
    certsDir: values['certs-dir'] ?? 'certs/local',
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    tokenCacheTtlMs: seconds(values['authentication-token-webhook-cache-ttl'], 10, '--authentication-token-webhook-cache-ttl'),
    authorizedCacheTtlMs: seconds(values['authorization-webhook-cache-authorized-ttl'], 10, '--authorization-webhook-cache-authorized-ttl'),
    unauthorizedCacheTtlMs: seconds(values['authorization-webhook-cache-unauthorized-ttl'], 10, '--authorization-webhook-cache-unauthorized-ttl'),
    leaderElection: leaderElectionFlags(values),
    awsCallBudget,
    changeEvents,
  };
}

/** SQS queue names: 1-80 of these characters. */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

function changeEventFlags(values: Record<string, string | boolean | undefined>, clusterName: string): ChangeEventFlags {
  const queueName = (values['change-events-queue'] as string | undefined) ?? `aws-service-apiserver-${clusterName}`;
  if (!QUEUE_NAME.test(queueName)) throw new Error(`--change-events-queue must be an SQS queue name (1-80 letters, digits, - and _), got ${JSON.stringify(queueName)}`);
  return {
    enabled: booleanFlag(values['change-events'] as string | undefined, false, '--change-events'),
    queueName,
    setup: booleanFlag(values['change-events-setup'] as string | undefined, true, '--change-events-setup'),
  };
}

function booleanFlag(value: string | undefined, fallback: boolean, flag: string): boolean {
  if (value === undefined) return fallback;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Error(`${flag} must be true or false, got ${JSON.stringify(value)}`);
}

function leaderElectionFlags(values: Record<string, string | boolean | undefined>): LeaderElectionFlags {
  const text = (flag: string) => values[flag] as string | undefined;
  const flags: LeaderElectionFlags = {
    enabled: booleanFlag(text('leader-elect'), true, '--leader-elect'),
    leaseName: text('leader-elect-resource-name') ?? 'aws-service-apiserver',
    ...(text('leader-elect-resource-namespace') ? { leaseNamespace: text('leader-elect-resource-namespace') } : {}),
    leaseDurationMs: seconds(text('leader-elect-lease-duration'), 15, '--leader-elect-lease-duration'),
    renewDeadlineMs: seconds(text('leader-elect-renew-deadline'), 10, '--leader-elect-renew-deadline'),
    retryPeriodMs: seconds(text('leader-elect-retry-period'), 2, '--leader-elect-retry-period'),
  };
  // As client-go requires: a leader must give up before anyone may take over, and retry before it must give up.
  if (!(flags.retryPeriodMs < flags.renewDeadlineMs && flags.renewDeadlineMs < flags.leaseDurationMs)) {
    throw new Error('leader election needs --leader-elect-retry-period < --leader-elect-renew-deadline < --leader-elect-lease-duration');
  }
  return flags;
}
