// One factory for every AWS SDK v3 client the kinds use, sharing region, endpoint, credentials, retry
// policy and a timeout for every attempt, and counting calls per operation (the benchmark and /metrics
// report them). A scoped view of the same clients aborts each call at a request's deadline.
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { HandlerExecutionContext, InitializeHandlerOptions, InitializeMiddleware } from '@smithy/types';

export interface AwsClientConfig {
  region: string;
  /** A non-AWS endpoint such as a local moto_server; undefined means the SDK's normal resolution. */
  endpoint?: string;
  /** Fixed credentials (local moto), or a provider (an assumed role); undefined means the SDK's default chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Attempts per call, including the first; the SDK backs off exponentially between them. */
  maxAttempts: number;
  /** How long one attempt may take, connecting included, before it fails with a (retried) TimeoutError. */
  attemptTimeoutMs?: number;
}

/** Every attempt has a timeout: a hung connection must end in an error, never in a request that hangs. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;

export type CallListener = (service: string, operation: string) => void;

/** What every SDK v3 client has. Its input/output types vary per service; the counter ignores them. */
interface SdkClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  middlewareStack: {
    // `any`: each service client has its own input/output unions, and the counter looks at neither.
    add(middleware: InitializeMiddleware<any, any>, options: InitializeHandlerOptions & { name: string }): void;
  };
  destroy(): void;
}

type ClientClass<T> = new (config: {
  region: string;
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  maxAttempts: number;
  forcePathStyle?: boolean;
  requestHandler?: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean };
}) => T;

export class AwsClients {
  private readonly clients = new Map<unknown, SdkClient>();
  private readonly listeners: CallListener[] = [];
  private readonly derived: AwsClients[] = [];

  constructor(
    readonly config: AwsClientConfig,
    /** When set, every call through these clients is aborted with it (see scoped). */
    private readonly signal?: AbortSignal,
    private readonly shared?: AwsClients,
  ) {}

  /**
   * Clients of their own for another region or identity (a namespace's account: aws/accounts/), with
   * the same endpoint, retries and timeouts, whose calls are counted with these clients' calls.
   */
  derive(region: string, credentials: AwsClientConfig['credentials']): AwsClients {
    const derived = new AwsClients({ ...this.config, region, ...(credentials ? { credentials } : {}) });
    (this.shared ?? this).listeners.forEach((listener) => derived.onCall(listener));
    (this.shared ?? this).derived.push(derived);
    return derived;
  }

  /** The same clients, each call of which is aborted when `signal` is (a request's deadline). */
  scoped(signal: AbortSignal): AwsClients {
    return new AwsClients(this.config, signal, this.shared ?? this);
  }

  /** The shared instance of an SDK client class, e.g. `aws.client(DynamoDBClient)`. */
  client<T extends SdkClient>(Client: ClientClass<T>): T {
    const client = (this.shared ?? this).sharedClient(Client);
    const signal = this.signal;
    if (!signal) return client;
    return new Proxy(client, {
      get: (target, property, receiver) =>
        property === 'send' ? (command: unknown, options?: object) => target.send(command, { abortSignal: signal, ...options }) : Reflect.get(target, property, receiver),
    });
  }

  private get attemptTimeoutMs(): number {
    return this.config.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  }

  private sharedClient<T extends SdkClient>(Client: ClientClass<T>): T {
    let client = this.clients.get(Client) as T | undefined;
    if (!client) {
      client = new Client({
        region: this.config.region,
        maxAttempts: this.config.maxAttempts,
        requestHandler: { connectionTimeout: this.attemptTimeoutMs, requestTimeout: this.attemptTimeoutMs, throwOnRequestTimeout: true },
        ...(this.config.endpoint ? { endpoint: this.config.endpoint, forcePathStyle: true } : {}),
        ...(this.config.credentials ? { credentials: this.config.credentials } : {}),
      });
      client.middlewareStack.add(
        (next, context: HandlerExecutionContext) => (args) => {
          for (const listener of this.listeners) listener(context.clientName ?? 'unknown', context.commandName ?? 'unknown');
          return next(args);
        },
        { step: 'initialize', name: 'serviceOperatorCallCounter' },
      );
      this.clients.set(Client, client);
    }
    return client;
  }

  onCall(listener: CallListener): void {
    const root = this.shared ?? this;
    root.listeners.push(listener);
    root.derived.forEach((derived) => derived.onCall(listener));
  }

  destroy(): void {
    (this.shared ?? this).derived.forEach((derived) => derived.destroy());
    for (const client of (this.shared ?? this).clients.values()) client.destroy();
    (this.shared ?? this).clients.clear();
  }
}
