// Entry point: `npm start -- [flags]`. Serves until SIGINT/SIGTERM, then stops what it started.
import { resolve } from 'node:path';
import { parseConfig, USAGE } from './config.js';
import { createLogger } from './log.js';
import { startServer } from './server.js';
import { StartError } from './start-error.js';

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (config === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const log = createLogger();
  const local = !config.tlsCertFile;
  if (local && !config.writeKubeconfig) config.writeKubeconfig = 'local.kubeconfig';
  const running = await startServer(config, log);
  if (running.kubeconfig) {
    const path = resolve(running.kubeconfig);
    const state = running.localAws
      ? `AWS is a local moto_server at ${running.localAws.endpoint}; what you create is kept in\n${running.localAws.stateFile} and is there again after a restart (--fresh starts empty).\n`
      : '';
    process.stderr.write(
      `\naws-service-apiserver is serving on ${running.url}. ${state}` +
        'It serves only the group service-operator.aws (no Deployments, Services or ConfigMaps: those need a cluster).\n' +
        `Point kubectl at it:\n\n  export KUBECONFIG=${path}\n  kubectl apply -f examples/dynamodb.yaml\n  kubectl get aws\n\n`,
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  // A StartError says what to do; anything else is unexpected and keeps its stack for a bug report.
  const why = error instanceof StartError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`aws-service-apiserver failed to start: ${why}\n`);
  process.exit(1);
});
