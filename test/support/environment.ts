// One moto_server and one server per test file, started before its tests and stopped after them.
import { awsClients } from './aws.js';
import { FaultProxy, type FaultRule } from './fault-proxy.js';
import { https, type HttpsOptions, type HttpsResponse } from './https.js';
import { Kubectl } from './kubectl.js';
import { startMoto, startServer, type LocalAws, type ServerOptions, type ServerProcess } from './processes.js';
import type { AwsClients } from '../../src/aws/clients.js';

export interface TestEnvironment {
  moto: LocalAws;
  /** With `faults`: the fault-injecting proxy the server reaches moto through (`aws` goes to moto directly). */
  proxy?: FaultProxy;
  /** The server now running (a new process after restart()). */
  readonly server: ServerProcess;
  kubectl: Kubectl;
  aws: AwsClients;
  /** Raw HTTPS calls to the server with the test's bearer token. */
  request(path: string, options?: Omit<HttpsOptions, 'ca'>): Promise<HttpsResponse>;
  /** Stops the server and starts a new one where clients expect it: same port, CA and token. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface EnvironmentOptions extends Omit<ServerOptions, 'awsEndpoint'> {
  /** Put a fault-injecting proxy between the server and moto, its random faults drawn from this seed. */
  faults?: { seed: number };
  /** With `faults`: rules the proxy applies from the start, before the server makes its first call. */
  rules?: FaultRule[];
  /** moto with what it lacks for ElastiCache and stacks filled by a fake (src/aws/moto_fills.py), as `npm start` has it. */
  fillMotoGaps?: boolean;
}

export async function startEnvironment({ fillMotoGaps = false, faults, rules = [], ...options }: EnvironmentOptions = {}): Promise<TestEnvironment> {
  const moto = await startMoto({ fillGaps: fillMotoGaps });
  const proxy = faults ? await new FaultProxy(moto.endpoint, faults.seed).start() : undefined;
  for (const rule of rules) proxy?.add(rule);
  const awsEndpoint = proxy?.url ?? moto.endpoint;
  let server: ServerProcess;
  try {
    server = await startServer({ ...options, awsEndpoint });
  } catch (error) {
    await proxy?.stop();
    await moto.stop();
    throw error;
  }
  const aws = awsClients(moto.endpoint);
  return {
    moto,
    ...(proxy ? { proxy } : {}),
    get server() {
      return server;
    },
    kubectl: new Kubectl(server.kubeconfig),
    aws,
    request: (path, options = {}) => https(`${server.url}${path}`, { ...options, ca: server.ca, headers: { Authorization: `Bearer ${server.token}`, ...options.headers } }),
    async restart() {
      await server.stop();
      server = await startServer({ ...options, awsEndpoint, port: server.port, certsDir: server.certsDir, token: server.token });
    },
    async stop() {
      aws.destroy();
      await server.stop();
      await proxy?.stop();
      await moto.stop();
    },
  };
}
