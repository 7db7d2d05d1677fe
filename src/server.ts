// Wires the server together: AWS (configured, or an embedded moto_server), the serving mode (cluster or
// local: see modes.ts), the kinds and their stores, the resync loop, the HTTPS listener, and in local
// mode the kubeconfig for direct access.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { buildOpenApiDocuments } from './api/openapi/documents.js';
import { AccountDirectory, type AccountPartition } from './aws/accounts/directory.js';
import { readAccountMapping } from './aws/accounts/mapping.js';
import { AwsClients } from './aws/clients.js';
import { ssmAdoptionClaims } from './aws/adoption-claims.js';
import { ssmCreateJournal } from './aws/create-journal.js';
import { deadlineSignal, withDeadline } from './aws/deadline.js';
import { awsIsConfigured } from './aws/environment.js';
import { memoize } from './aws/memoize.js';
import { startMoto, type LocalAws } from './aws/moto.js';
import type { Config } from './config.js';
import { createApp } from './http/app.js';
import { Metrics } from './http/metrics.js';
import { WatchStreams } from './http/watch-stream.js';
import { connectToCluster } from './kube/connection.js';
import { writeKubeconfig } from './kubeconfig.js';
import type { Logger } from './log.js';
import { clusterMode, localMode, type ServingMode } from './modes.js';
import type { KindContext, KindDefinition } from './registry/kind.js';
import { loadKinds } from './registry/load-kinds.js';
import { ResourceVersionClock } from './registry/resource-version.js';
import { startResyncLoop } from './registry/resync-loop.js';
import { KindStore } from './registry/store.js';
import type { ResyncPartition } from './registry/store-types.js';
import { createTlsServer } from './tls/server.js';
import { ensureLocalServingCertificate } from './tls/local-serving.js';

export interface RunningServer {
  port: number;
  url: string;
  awsEndpoint?: string;
  localAws?: LocalAws;
  stores: Map<string, KindStore>;
  aws: AwsClients;
  mode: ServingMode['name'];
  /** The kubeconfig written for direct access (local mode only). */
  kubeconfig?: string;
  ready: Promise<void>;
  close(): Promise<void>;
}

/** In a cluster the SDK's default chain is always used (kube2iam and instance roles set no variables). */
async function chooseAws(config: Config, inCluster: boolean, log: Logger): Promise<{ clients: AwsClients; local?: LocalAws }> {
  const base = { region: config.region, maxAttempts: 4, attemptTimeoutMs: config.awsCallTimeoutMs };
  if (!config.localAws && (inCluster || awsIsConfigured())) {
    log.info({ region: config.region, endpoint: process.env.AWS_ENDPOINT_URL ?? 'AWS' }, 'using the configured AWS');
    return { clients: new AwsClients({ ...base, ...(process.env.AWS_ENDPOINT_URL ? { endpoint: process.env.AWS_ENDPOINT_URL } : {}) }) };
  }
  const local = await startMoto();
  log.info({ endpoint: local.endpoint, pid: local.pid }, 'no AWS configured: started a local moto_server and serving against it');
  return { clients: new AwsClients({ ...base, endpoint: local.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }), local };
}

function chooseMode(config: Config, log: Logger): { mode: ServingMode; token?: string } {
  const cluster = connectToCluster(config.kubeconfig);
  if (cluster) return { mode: clusterMode(cluster, config, log) };
  const token = config.token ?? randomBytes(24).toString('base64url');
  return { mode: localMode(token, log), token };
}

/** `kinds` defaults to every kind module under src/kinds/ (tests pass their own). */
export async function startServer(config: Config, log: Logger, kinds?: KindDefinition[]): Promise<RunningServer> {
  const { mode, token } = chooseMode(config, log);
  const { clients, local } = await chooseAws(config, mode.name === 'cluster', log);
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
    accounts.inUse().map((partition) => ({ key: partition.key, context: () => contextIn(partition), holds: (namespace) => accounts.keyOf(namespace) === partition.key }));
  const refreshAccounts = () => accounts.refreshAll().catch((error: unknown) => log.warn({ err: error instanceof Error ? error.message : error }, 'could not read the namespaces; their accounts are read per request'));
  await refreshAccounts();
  // Namespaces annotated since are listed by the resync within a period.
  const accountsTimer = setInterval(() => void refreshAccounts(), config.resyncPeriodMs);

  kinds ??= await loadKinds();
  const clock = new ResourceVersionClock();
  const siblings = (plural: string): KindStore | undefined => stores.get(plural);
  const storeConfig = {
    clusterName: config.clusterName,
    clock,
    context,
    partitions,
    log,
    eventCapacity: config.eventWindow,
    resyncReadBudget: config.resyncReadBudget,
    siblings,
    hooks: mode.hooks,
    // No create runs longer than its request; twice that leaves room for clocks that differ between replicas.
    abandonAfterMs: 2 * config.requestTimeoutMs,
    mayCleanUp: () => mode.notServing() === undefined,
    journal: ssmCreateJournal(context, config.clusterName),
    adoptionClaims: ssmAdoptionClaims,
  };
  const stores = new Map(kinds.map((kind) => [kind.names.plural, new KindStore({ ...storeConfig, kind })]));
  const watches = new WatchStreams();
  const metrics = new Metrics(() => watches.size, () => Object.fromEntries([...stores].map(([plural, s]) => [plural, s.view.size])));
  clients.onCall((service, operation) => metrics.awsCalls.inc({ service, operation }));
  const resync = startResyncLoop([...stores.values()], config.resyncPeriodMs, config.transitionalResyncPeriodMs, log, (resource, type, seconds) => metrics.resyncs.observe({ resource, type }, seconds));
  let awsRead = false;
  void resync.initialSync.then(() => {
    awsRead = true;
    log.info({ objects: Object.fromEntries([...stores].map(([plural, s]) => [plural, s.view.size])) }, 'initial read of the AWS account done');
  });
  mode.start(stores, clock);

  const tls = config.tlsCertFile ? { certFile: config.tlsCertFile, keyFile: config.tlsKeyFile as string, caFile: undefined } : ensureLocalServingCertificate(config.certsDir);
  const app = createApp({
    stores,
    openapi: buildOpenApiDocuments(kinds),
    authenticator: mode.authenticator,
    authorizer: mode.authorizer,
    metrics,
    log,
    notReady: () => (awsRead ? mode.notReady() : 'the first read of the AWS account has not finished'),
    notServing: mode.notServing,
    viewFilled: (plural) => resync.isFilled(plural),
    version: { gitVersion: 'v0.1.0' },
    bookmarkIntervalMs: config.bookmarkIntervalMs,
    watches,
    withinDeadline: (task) => withDeadline(config.requestTimeoutMs, task),
    prepareNamespace: (namespace) => accounts.prepare(namespace),
  });
  const { server, stopReloading } = createTlsServer(tls, app, log);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.bindAddress, () => resolve());
  });
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
    async close() {
      resync.stop();
      clearInterval(accountsTimer);
      await mode.stop();
      stopReloading();
      watches.closeAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      clients.destroy();
      await local?.stop();
    },
  };
}
