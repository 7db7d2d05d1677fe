// Keeps the trust in kube-system/extension-apiserver-authentication current: read once, then watched,
// so a rotated front-proxy or client CA (or a changed allowed-names list) applies without a restart.
// The watch is re-established after it ends or fails (with backoff), re-reading the ConfigMap first.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { parseAuthenticationTrust, type AuthenticationTrust } from '../auth/trust.js';
import type { Logger } from '../log.js';
import type { ClusterConnection } from './connection.js';
import { kubeErrorMessage, kubeStatusCode } from './errors.js';

export const AUTHENTICATION_CONFIGMAP = { namespace: 'kube-system', name: 'extension-apiserver-authentication' };
const WATCH_SECONDS = 300;
const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
const MIN_WATCH_MS = 1000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export class AuthenticationConfigWatcher {
  private trust: AuthenticationTrust | undefined;
  private readonly stopping = new AbortController();
  private watchController: AbortController | undefined;
  private resolveLoaded!: () => void;
  /** Settles once the ConfigMap has been read (or found missing) for the first time. */
  readonly loaded = new Promise<void>((resolve) => (this.resolveLoaded = resolve));

  constructor(
    private readonly cluster: ClusterConnection,
    private readonly log: Logger,
  ) {}

  /** The trust as last read; undefined until the first read. */
  current(): AuthenticationTrust | undefined {
    return this.trust;
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopping.abort();
    this.watchController?.abort();
  }

  private apply(configMap: V1ConfigMap | undefined): void {
    try {
      this.trust = parseAuthenticationTrust(configMap?.data ?? {});
      this.log.info(
        { clientCA: Boolean(this.trust.clientCA), frontProxyCA: Boolean(this.trust.requestHeader), allowedNames: this.trust.requestHeader?.allowedNames, resourceVersion: configMap?.metadata?.resourceVersion },
        configMap ? 'loaded the cluster authentication configuration' : `ConfigMap ${AUTHENTICATION_CONFIGMAP.namespace}/${AUTHENTICATION_CONFIGMAP.name} not found: only bearer tokens can authenticate`,
      );
    } catch (error) {
      // A broken update keeps the last good trust rather than locking every caller out.
      this.log.error({ err: error }, 'the cluster authentication configuration is invalid; keeping the previous one');
      this.trust ??= {};
    }
    this.resolveLoaded();
  }

  private async read(): Promise<V1ConfigMap | undefined> {
    try {
      return await this.cluster.core.readNamespacedConfigMap(AUTHENTICATION_CONFIGMAP);
    } catch (error) {
      if (kubeStatusCode(error) === 404) return undefined;
      throw error;
    }
  }

  private async run(): Promise<void> {
    let backoff = MIN_BACKOFF_MS;
    while (!this.stopping.signal.aborted) {
      try {
        const configMap = await this.read();
        this.apply(configMap);
        const started = Date.now();
        await this.watchFrom(configMap?.metadata?.resourceVersion);
        backoff = MIN_BACKOFF_MS;
        // A watch that ends at once every time must not turn into a busy loop of reads.
        if (Date.now() - started < MIN_WATCH_MS) await sleep(MIN_WATCH_MS, this.stopping.signal);
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        this.log.warn({ error: kubeErrorMessage(error), retryInMs: backoff }, 'could not read or watch the cluster authentication configuration');
        await sleep(backoff, this.stopping.signal);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** Resolves when the watch ends normally (server-side timeout); rejects when it fails. */
  private watchFrom(resourceVersion: string | undefined): Promise<void> {
    const path = `/api/v1/namespaces/${AUTHENTICATION_CONFIGMAP.namespace}/configmaps`;
    const query = { fieldSelector: `metadata.name=${AUTHENTICATION_CONFIGMAP.name}`, timeoutSeconds: WATCH_SECONDS, ...(resourceVersion ? { resourceVersion } : {}) };
    return new Promise((resolve, reject) => {
      const onEvent = (type: string, object: V1ConfigMap) => {
        if (type === 'ADDED' || type === 'MODIFIED') this.apply(object);
        else if (type === 'DELETED') this.apply(undefined);
        else if (type === 'ERROR') reject(new Error(`watch error: ${JSON.stringify(object)}`));
      };
      const onDone = (error: unknown) => (error && !this.stopping.signal.aborted ? reject(error instanceof Error ? error : new Error(JSON.stringify(error))) : resolve());
      this.cluster.watch.watch(path, query, onEvent, onDone).then((controller) => {
        this.watchController = controller;
        if (this.stopping.signal.aborted) controller.abort();
      }, reject);
    });
  }
}
