// A whole cluster on loopback with our server aggregated into it: the control plane (etcd,
// kube-apiserver, kube-controller-manager), AWS (the configured one, else a moto_server), our server
// in cluster mode with deploy/'s identity and RBAC, and the APIService of apiservice/.
//
// `npm run local-cluster -- --kubeconfig PATH` starts it, writes an administrator's kubeconfig to
// PATH and serves until Ctrl-C/SIGTERM; the end-to-end tests in test/cluster/ start one per file.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { awsIsConfigured } from '../../src/aws/environment.js';
import { freePort, startMoto, type LocalAws } from '../../src/aws/moto.js';
import { installServerIdentity, registerApiService, servingCertificates, ServiceFront, SERVER_NAMESPACE, SERVER_USER, startReplica, waitForAggregatedOpenApi, waitForApiService, type Replica, type ServingCertificates } from './aggregated-server.js';
import { startControlPlane, type ControlPlane, type StaticTokenUser } from './control-plane.js';
import { awsEnvironment } from '../support/processes.js';
import { isMain } from '../support/paths.js';
import { stopEverything, track } from './process.js';

export interface LocalClusterOptions {
  /** Where everything is written (default: a new temporary folder, removed by stop()). */
  dir?: string;
  replicas?: number;
  clusterName?: string;
  /** More flags for every replica (e.g. faster leader election in tests). */
  serverArgs?: string[];
  /** Always start a moto_server, whatever AWS this environment configures (the tests). */
  localAws?: boolean;
  /** Users kube-apiserver audits besides the server's own service account. */
  auditedUsers?: string[];
  /** Static bearer tokens kube-apiserver accepts (token → user), for tests of token authentication. */
  tokens?: Record<string, StaticTokenUser>;
  log?: (line: string) => void;
}

export interface LocalCluster {
  dir: string;
  cp: ControlPlane;
  /** The moto_server started when no AWS is configured. */
  moto?: LocalAws;
  readonly replicas: Replica[];
  front: ServiceFront;
  serving: ServingCertificates;
  /** The server's kubeconfig: its ServiceAccount's token. */
  serverKubeconfig: string;
  stop(): Promise<void>;
}

const AWS_VARIABLES = /^AWS_/;

async function chooseAws(localAws: boolean, log: (line: string) => void): Promise<{ env: Record<string, string>; moto?: LocalAws }> {
  if (!localAws && awsIsConfigured()) {
    log('Using the AWS configured in this environment (AWS_* variables or ~/.aws).');
    const env = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => AWS_VARIABLES.test(entry[0]) && entry[1] !== undefined));
    return { env: { HOME: process.env.HOME ?? '', ...env } };
  }
  // As `npm start` without AWS: moto, with what it lacks for ElastiCache and stacks filled by a fake (src/aws/moto_fills.py).
  const moto = track(await startMoto({ fillGaps: true }));
  log(`No AWS configured: started moto_server at ${moto.endpoint} (in memory: its state goes when the cluster stops; ElastiCache and CloudFormation gaps filled by a fake).`);
  return { env: awsEnvironment(moto.endpoint), moto };
}

export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const log = options.log ?? (() => undefined);
  const temporary = !options.dir;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'local-cluster-'));
  mkdirSync(dir, { recursive: true });
  const clusterName = options.clusterName ?? 'local-cluster';
  const cp = await startControlPlane({ dir: join(dir, 'control-plane'), auditedUsers: [SERVER_USER, ...(options.auditedUsers ?? [])], ...(options.tokens ? { tokens: options.tokens } : {}), log });
  const replicas: Replica[] = [];
  let front: ServiceFront | undefined;
  let moto: LocalAws | undefined;
  const stop = async () => {
    await front?.stop();
    for (const replica of replicas) await replica.stop();
    await moto?.stop();
    await cp.stop();
    if (temporary) rmSync(dir, { recursive: true, force: true });
  };
  try {
    log(`kube-apiserver is ready at ${cp.url}; installing the server's ServiceAccount and RBAC from deploy/.`);
    const token = await installServerIdentity(cp);
    const serverKubeconfig = cp.tokenKubeconfig('aws-service-apiserver', token, SERVER_NAMESPACE);
    const serving = servingCertificates(dir);
    const aws = await chooseAws(options.localAws ?? false, log);
    moto = aws.moto;
    const logDir = join(dir, 'servers');
    mkdirSync(logDir, { recursive: true });
    for (let i = 0; i < (options.replicas ?? 1); i++) {
      replicas.push(await startReplica({ cp, name: `aws-service-apiserver-${i}`, kubeconfig: serverKubeconfig, serving, clusterName, awsEnvironment: aws.env, ...(options.serverArgs ? { extraArgs: options.serverArgs } : {}), logDir }));
    }
    front = new ServiceFront(cp, () => replicas);
    const frontPort = await freePort();
    await front.start(frontPort);
    await registerApiService(cp, serving, frontPort);
    log('Registered the APIService v1alpha1.service-operator.aws; waiting for kube-apiserver to find it Available.');
    await waitForApiService(cp, 'True');
    await waitForAggregatedOpenApi(cp);
    return { dir, cp, ...(moto ? { moto } : {}), replicas, front, serving, serverKubeconfig, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

const USAGE = `Usage: npm run local-cluster -- --kubeconfig PATH [--replicas N] [--cluster-name NAME] [--dir DIR]

Starts etcd, kube-apiserver and kube-controller-manager (built from Go modules on first use), AWS
(the configured one, else a moto_server), aws-service-apiserver in cluster mode with the identity and
RBAC of deploy/, and registers it with the APIService of apiservice/. Everything listens on loopback.
Writes an administrator's kubeconfig to PATH; stops everything on Ctrl-C or SIGTERM.

  --kubeconfig PATH      where to write the administrator's kubeconfig (required)
  --replicas N           server replicas, with leader election over the Lease API (default 1)
  --cluster-name NAME    the server's --cluster-name (default local-cluster)
  --local-aws            use a moto_server even if AWS is configured
  --dir DIR              keep certificates, logs and etcd's data there (default: a temporary folder,
                         removed on exit)
`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { kubeconfig: { type: 'string' }, replicas: { type: 'string', default: '1' }, 'cluster-name': { type: 'string' }, 'local-aws': { type: 'boolean' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return void process.stdout.write(USAGE);
  const replicas = Number(values.replicas);
  if (!values.kubeconfig || !Number.isInteger(replicas) || replicas < 1) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  let cluster: LocalCluster | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the local cluster.`);
    // Before the cluster is up, whatever has been started so far is stopped.
    (cluster ? cluster.stop() : stopEverything()).then(
      () => process.exit(0),
      (error: unknown) => {
        log(`stopping failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  const started = Date.now();
  cluster = await startLocalCluster({ replicas, localAws: values['local-aws'] ?? false, ...(values['cluster-name'] ? { clusterName: values['cluster-name'] } : {}), ...(values.dir ? { dir: resolve(values.dir) } : {}), log });
  if (stopping) return void (await cluster.stop());
  const kubeconfig = resolve(values.kubeconfig);
  copyFileSync(cluster.cp.adminKubeconfig, kubeconfig);
  process.stderr.write(
    `\nThe local cluster is up (${Math.round((Date.now() - started) / 1000)} s): kube-apiserver ${cluster.cp.binaries.kubernetesVersion} at ${cluster.cp.url}, ` +
      `service-operator.aws served through its aggregation layer by ${cluster.replicas.length} replica(s).\n` +
      `Logs and certificates: ${cluster.dir}\n\n` +
      `  export KUBECONFIG=${kubeconfig}\n` +
      `  kubectl get apiservice v1alpha1.service-operator.aws\n` +
      `  kubectl apply -f examples/dynamodb-app.yaml\n` +
      `  kubectl get dynamodb,configmap\n\n` +
      `Ctrl-C stops everything.\n`,
  );
}

if (isMain(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`local-cluster failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
