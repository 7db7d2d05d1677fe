// Wires the server together: AWS (configured, or an embedded moto_server), the serving mode (cluster or
// local: see modes.ts), the kinds and their stores, the resync loop, the HTTPS listener, and in local
// mode the kubeconfig for direct access.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { buildOpenApiDocuments } from './api/openapi/documents.js';
import { AccountDirectory, type AccountPartition } from './aws/accounts/directory.js';
import { readAccountMapping } from './aws/accounts/mapping.js';
import { CallBudget } from './aws/call-budget.js';
import { AwsClients } from './aws/clients.js';
import { ssmAdoptionClaims } from './aws/adoption-claims.js';
import { ssmCreateJournal } from './aws/create-journal.js';
import { deadlineSignal, withDeadline } from './aws/deadline.js';
import { awsErrorCode, isAwsThrottling, registerAwsErrorCodes } from './aws/errors.js';
import { awsIsConfigured, credentialSource, disableInstanceMetadata, missingCredentialsMessage } from './aws/environment.js';
import { memoize } from './aws/memoize.js';
import { startMoto, type LocalAws } from './aws/moto.js';
import type { Config } from './config.js';
import { createApp } from './http/app.js';
import { Metrics } from './http/metrics.js';
import { WatchStreams } from './http/watch-stream.js';
import { connectToCluster, runningInPod } from './kube/connection.js';
import { writeKubeconfig } from './kubeconfig.js';
import type { Logger } from './log.js';
import { clusterMode, localMode, type ServingMode } from './modes.js';
import { KINDS } from './kinds/index.js';
import type { KindContext, KindDefinition } from './registry/kind.js';
import { resourceDocumentOf } from './registry/kind-schemas.js';
import { listenError, StartError } from './start-error.js';
import { ResourceVersionClock } from './registry/resource-version.js';
import { startChangeFeed } from './registry/change-feed.js';
import { startResyncLoop, type ResyncLoop } from './registry/resync-loop.js';
import { KindStore } from './registry/store.js';
import type { ResyncPartition } from './registry/store-types.js';
import { createTlsServer } from './tls/server.js';
import { ensureLocalServingCertificate } from './tls/local-serving.js';

/** The file under --local-state-dir that holds the embedded moto_server's state. */
export const MOTO_STATE_FILE = 'moto-state.pickle';

export interface RunningServer {
  port: number;
  url: string;
  awsEndpoint?: string;
  localAws?: LocalAws & { stateFile: string };
  stores: Map<string, KindStore>;
  aws: AwsClients;
  mode: ServingMode['name'];
  /** The kubeconfig written for direct access (local mode only). */
  kubeconfig?: string;
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * The configured AWS, or an embedded moto_server when none is. In a pod the SDK's default chain is
 * always used (kube2iam and instance roles set no variables); elsewhere the instance metadata address
 * is never asked, and credentials are resolved once here so that a start without usable ones fails
 * saying what to set, instead of serving 429s while the first read of AWS keeps failing.
 */
async function chooseAws(config: Config, cluster: boolean, log: Logger, cleanups: Cleanup[]): Promise<{ clients: AwsClients; local?: LocalAws & { stateFile: string } }> {
  const base = { region: config.region, maxAttempts: 4, attemptTimeoutMs: config.awsCallTimeoutMs };
  const inPod = runningInPod();
  if (!inPod) disableInstanceMetadata();
  if (!config.localAws && (cluster || awsIsConfigured())) {
    const endpoint = process.env.AWS_ENDPOINT_URL;
    if (!inPod && !credentialSource()) throw new StartError(endpoint ? missingCredentialsMessage(endpoint) : 'no AWS credentials are configured: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; or leave AWS unconfigured to use the embedded moto_server');
    log.info({ region: config.region, endpoint: endpoint ?? 'AWS' }, 'using the configured AWS');
    const clients = new AwsClients({ ...base, ...(endpoint ? { endpoint } : {}) });
    cleanups.push(() => clients.destroy());
    if (!inPod) await checkCredentials(clients);
    return { clients };
  }
  const local = await startLocalAws(config, log);
  cleanups.push(() => local.stop());
  const clients = new AwsClients({ ...base, endpoint: local.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  cleanups.push(() => clients.destroy());
  return { clients, local };
}

/** The embedded moto_server, with its state in --local-state-dir (emptied first with --fresh). */
async function startLocalAws(config: Config, log: Logger): Promise<LocalAws & { stateFile: string }> {
  const stateFile = resolve(config.localStateDir, MOTO_STATE_FILE);
  mkdirSync(dirname(stateFile), { recursive: true });
  if (config.fresh) rmSync(stateFile, { force: true });
  const restoring = existsSync(stateFile);
  try {
    const local = await startMoto({ stateFile, fillGaps: true });
    log.info({ endpoint: local.endpoint, pid: local.pid, stateFile, restored: restoring }, 'no AWS configured: started a local moto_server and serving against it');
    return { ...local, stateFile };
  } catch (error) {
    throw new StartError(`the embedded moto_server did not start: ${(error as Error).message}`);
  }
}

/** Resolves the SDK's credential chain once (no AWS call): a profile that does not exist fails here. */
async function checkCredentials(clients: AwsClients): Promise<void> {
  try {
    await clients.client(STSClient).config.credentials();
  } catch (error) {
    throw new StartError(`the AWS SDK found no usable credentials (${(error as Error).message}); set AWS_PROFILE to a profile that has them, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
  }
}

type Cleanup = () => unknown;

/** Undoes what a failed start had begun, newest first, so that nothing (a moto_server) is left running. */
async function undo(cleanups: Cleanup[]): Promise<void> {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch {
      // the start already failed; report that error, not this one
    }
  }
}

/**
 * Without a cluster there are no ConfigMaps: a reference to one reads what it would hold, the outputs
 * of the object of that name in the namespace (the first kind that has one).
 */
function outputsOfObject(stores: Map<string, KindStore>, namespace: string, name: string): Record<string, string> | undefined {
  for (const store of stores.values()) {
    const object = store.view.get(namespace, name)?.object;
    if (object) return { ...(object.output as Record<string, string> | undefined) };
  }
  return undefined;
}

function chooseMode(config: Config, log: Logger): { mode: ServingMode; token?: string } {
  const cluster = connectToCluster(config.kubeconfig);
  if (cluster) return { mode: clusterMode(cluster, config, log) };
  const token = config.token ?? randomBytes(24).toString('base64url');
  return { mode: localMode(token, log), token };
}

/**
 * `kinds` defaults to the table of kinds (src/kinds/index.ts; tests pass their own). A start that
 * fails stops whatever it had started before throwing.
 */
export async function startServer(config: Config, log: Logger, kinds: readonly KindDefinition[] = KINDS): Promise<RunningServer> {
  const cleanups: Cleanup[] = [];
  try {
    return await start(config, log, kinds, cleanups);
  } catch (error) {
    await undo(cleanups);
    throw error;
  }
}

async function start(config: Config, log: Logger, kinds: readonly KindDefinition[], cleanups: Cleanup[]): Promise<RunningServer> {
  for (const kind of kinds) if (kind.awsErrorCodes) registerAwsErrorCodes(kind.awsErrorCodes);
  const { mode, token } = chooseMode(config, log);
  const { clients, local } = await chooseAws(config, mode.name === 'cluster', log, cleanups);
  const accountId = memoize(async () => (await clients.client(STSClient).send(new GetCallerIdentityCommand({}))).Account as string);
  const accounts = new AccountDirectory(clients, accountId, config.region, config.clusterName, readAccountMapping(config.accountMapFile), mode.namespaces, log);
  const contextIn = (partition: AccountPartition): KindContext => ({
    aws: partition.clients.scoped(deadlineSignal(config.requestTimeoutMs)),
    region: partition.region,
    clusterName: config.clusterName,
    accountId: partition.accountId,
    deadline: Date.now() + config.awsWaitTimeoutMs,
  });
  const context = (namespace?: string): KindContext => contextIn(accounts.partitionOf(namespace));
  const partitions = (): ResyncPartition[] =>
    accounts.inUse().map((partition) => ({
      key: partition.key,
      context: () => contextIn(partition),
      holds: (namespace) => accounts.keyOf(namespace) === partition.key,
      own: partition === accounts.partitionOf(undefined),
    }));
  const refreshAccounts = () => accounts.refreshAll().catch((error: unknown) => log.warn({ err: error instanceof Error ? error.message : error }, 'could not read the namespaces; their accounts are read per request'));
  await refreshAccounts();
  // Namespaces annotated since are listed by the resync within a period.
  const accountsTimer = setInterval(() => void refreshAccounts(), config.resyncPeriodMs);
  cleanups.push(() => clearInterval(accountsTimer));

  const clock = new ResourceVersionClock();
  const siblings = (plural: string): KindStore | undefined => stores.get(plural);
  const configMaps = (namespace: string, name: string): Promise<Record<string, string> | undefined> => (mode.configMaps ? mode.configMaps(namespace, name) : Promise.resolve(outputsOfObject(stores, namespace, name)));
  // A write may be what objects waiting in its namespace named (a stack's template, or its outputs ConfigMap).
  const written = (namespace: string): void => {
    for (const store of stores.values()) void store.retryWaiting(namespace);
  };
  const storeConfig = {
    clusterName: config.clusterName,
    clock,
    context,
    partitions,
    log,
    eventCapacity: config.eventWindow,
    resyncReadBudget: config.resyncReadBudget,
    siblings,
    configMaps,
    written,
    hooks: mode.hooks,
    // No create runs longer than its request; twice that leaves room for clocks that differ between replicas.
    abandonAfterMs: 2 * config.requestTimeoutMs,
    mayCleanUp: () => mode.notServing() === undefined,
    journal: ssmCreateJournal(context, config.clusterName),
    adoptionClaims: ssmAdoptionClaims,
  };
  const stores = new Map(kinds.map((kind) => [kind.names.plural, new KindStore({ ...storeConfig, kind })]));
  const watches = new WatchStreams();
  // The resync loop and the serving mode start once the port is ours: a start that fails to listen
  // has read nothing and asked nothing.
  let resync: ResyncLoop | undefined;
  let awsRead = false;
  const notReadWhy = (failure: string | undefined): string => (failure ? `the first read of the AWS account failed and is being retried: ${failure}` : 'the first read of the AWS account has not finished');
  const awsNotRead = (): string | undefined => (awsRead ? undefined : notReadWhy(resync?.initialSyncError()));
  // Each kind's lists and watches wait only for that kind's first read: one kind AWS does not answer for stops no other.
  const viewNotFilled = (plural: string): string | undefined => (resync?.isFilled(plural) ? undefined : notReadWhy(resync?.initialSyncError(plural)));
  const notReady = (): string | undefined => awsNotRead() ?? mode.notReady();
  const budget = new CallBudget({ callsPerMinute: config.awsCallBudget });
  clients.limitBackgroundCalls(budget);
  cleanups.push(() => budget.stop());
  const metrics = new Metrics({
    openWatches: () => watches.size,
    objects: () => Object.fromEntries([...stores].map(([plural, s]) => [plural, s.view.size])),
    notReady,
    notServing: () => mode.notServing(),
    oldestReadAge: () => Object.fromEntries([...stores].map(([plural, s]) => [plural, s.view.oldestReadAge()])),
    budget: () => ({ queued: budget.queued(), backoffs: budget.backoffs, pausedSeconds: budget.pausedMs / 1000 }),
  });
  clients.onCall((service, operation, origin) => metrics.awsCalls.inc({ service, operation, caller: origin.caller }));
  clients.onOutcome({
    failed: (service, operation, error) => metrics.awsErrors.inc({ service, operation, code: awsErrorCode(error) }),
    attemptFailed: (service, operation, error) => {
      if (isAwsThrottling(error)) metrics.awsThrottled.inc({ service, operation });
    },
  });

  const tls = config.tlsCertFile ? { certFile: config.tlsCertFile, keyFile: config.tlsKeyFile as string, caFile: undefined } : ensureLocalServingCertificate(config.certsDir);
  const app = createApp({
    stores,
    openapi: buildOpenApiDocuments(kinds.map(resourceDocumentOf)),
    authenticator: mode.authenticator,
    authorizer: mode.authorizer,
    metrics,
    log,
    notReady,
    notServing: () => mode.notServing(),
    viewNotFilled,
    version: { gitVersion: 'v0.1.0' },
    bookmarkIntervalMs: config.bookmarkIntervalMs,
    selfReviews: mode.name === 'local',
    watches,
    withinDeadline: (task) => withDeadline(config.requestTimeoutMs, task),
    prepareNamespace: (namespace) => accounts.prepare(namespace),
  });
  const { server, stopReloading } = createTlsServer(tls, app, log);
  cleanups.push(stopReloading);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, config.port, config.bindAddress)));
    server.listen(config.port, config.bindAddress, () => resolve());
  });
  cleanups.push(async () => {
    watches.closeAll();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
  });
  resync = startResyncLoop([...stores.values()], config.resyncPeriodMs, config.transitionalResyncPeriodMs, log, (resource, type, seconds) => {
    metrics.resyncs.observe({ resource, type }, seconds);
    if (type === 'full') metrics.lastFullResync.set({ resource }, Date.now() / 1000);
  });
  cleanups.push(() => resync?.stop());
  void resync.initialSync.then(() => {
    awsRead = true;
    log.info({ objects: Object.fromEntries([...stores].map(([plural, s]) => [plural, s.view.size])) }, 'initial read of the AWS account done');
  });
  if (config.changeEvents.enabled) {
    const feed = startChangeFeed({
      stores: [...stores.values()],
      context,
      log,
      queueName: config.changeEvents.queueName,
      setup: config.changeEvents.setup,
      // The queue is shared by the replicas: only the one serving consumes it (a new leader catches up through its resync).
      active: () => awsRead && !mode.notServing(),
      observe: {
        received: (events, ignored) => {
          metrics.changeEvents.inc({ type: 'api-call' }, events);
          metrics.changeEvents.inc({ type: 'other' }, ignored);
        },
        reread: (resource, what) => metrics.changeRereads.inc({ resource, what }),
        polled: () => metrics.changePolled.set(Date.now() / 1000),
      },
    });
    feed.ready.catch(() => undefined);
    cleanups.push(() => feed.stop());
  }
  mode.start(stores, clock);
  cleanups.push(() => mode.stop());
  const port = (server.address() as AddressInfo).port;
  const host = config.bindAddress === '0.0.0.0' || config.bindAddress === '::' ? '127.0.0.1' : config.bindAddress;
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  // Cluster mode has no static token: direct callers use their cluster credentials.
  let kubeconfig: string | undefined;
  if (config.writeKubeconfig && tls.caFile && token) {
    writeKubeconfig(config.writeKubeconfig, { server: url, caPem: readFileSync(tls.caFile, 'utf8'), token });
    kubeconfig = config.writeKubeconfig;
  }
  log.info({ url, mode: mode.name, clusterName: config.clusterName, kinds: kinds.map((k) => k.names.kind) }, 'serving');

  return {
    port,
    url,
    ...(local ? { awsEndpoint: local.endpoint, localAws: local } : {}),
    stores,
    aws: clients,
    mode: mode.name,
    ...(kubeconfig ? { kubeconfig } : {}),
    ready: resync.initialSync,
    close: () => undo(cleanups),
  };
}
