// One factory for every AWS SDK v3 client the kinds use, sharing region, endpoint, credentials, retry
// policy and a timeout for every attempt, and telling listeners of every call, every call that failed
// (after the SDK's retries) and every attempt that failed (each retry), per operation and caller: the
// benchmark and /metrics count them. A scoped view of the same clients aborts each call at a request's
// deadline. Every attempt of a background call first waits for the call budget (call-budget.ts).
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { AbsoluteLocation, FinalizeRequestHandlerOptions, FinalizeRequestMiddleware, HandlerExecutionContext, InitializeHandlerOptions, InitializeMiddleware } from '@smithy/types';
import type { CallBudget } from './call-budget.js';
import { currentOrigin, type CallOrigin } from './call-origin.js';
import { isAwsThrottling } from './errors.js';

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

export type CallListener = (service: string, operation: string, origin: CallOrigin) => void;

export interface CallOutcomes {
  /** A call failed: the SDK gave up retrying, or the error was not retryable. */
  failed?(service: string, operation: string, error: unknown): void;
  /** One attempt failed (a call the SDK retries has several). */
  attemptFailed?(service: string, operation: string, error: unknown): void;
}

/** What every SDK v3 client has. Its input/output types vary per service; the counter ignores them. */
interface SdkClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  middlewareStack: {
    // `any`: each service client has its own input/output unions, and the counter looks at neither.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    add(middleware: InitializeMiddleware<any, any>, options: InitializeHandlerOptions & { name: string }): void;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    add(middleware: FinalizeRequestMiddleware<any, any>, options: FinalizeRequestHandlerOptions & AbsoluteLocation & { name: string }): void;
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
  private readonly outcomes: CallOutcomes[] = [];
  private budget: CallBudget | undefined;

  constructor(
    readonly config: AwsClientConfig,
    /** When set, every call through these clients is aborted with it (see scoped). */
    private readonly signal?: AbortSignal,
    private readonly shared?: AwsClients,
  ) {}

  /**
   * Clients of their own for another region or identity (a namespace's account: aws/accounts/), with
   * the same endpoint, retries and timeouts, whose calls are counted (and held to the call budget) with these clients' calls.
   */
  derive(region: string, credentials: AwsClientConfig['credentials']): AwsClients {
    const { root } = this;
    const derived = new AwsClients({ ...root.config, region, ...(credentials ? { credentials } : {}) });
    root.listeners.forEach((listener) => derived.onCall(listener));
    root.outcomes.forEach((outcomes) => derived.onOutcome(outcomes));
    if (root.budget) derived.limitBackgroundCalls(root.budget);
    root.derived.push(derived);
    return derived;
  }

  /** The same clients, each call of which is aborted when `signal` is (a request's deadline). */
  scoped(signal: AbortSignal): AwsClients {
    return new AwsClients(this.config, signal, this.root);
  }

  /** The instance that holds the SDK clients and the listeners (scoped views share it). */
  private get root(): AwsClients {
    return this.shared ?? this;
  }

  /** The shared instance of an SDK client class, e.g. `aws.client(DynamoDBClient)`. */
  client<T extends SdkClient>(Client: ClientClass<T>): T {
    const client = this.root.sharedClient(Client);
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
      const names = (context: HandlerExecutionContext): [string, string] => [context.clientName ?? 'unknown', context.commandName ?? 'unknown'];
      client.middlewareStack.add(
        (next, context: HandlerExecutionContext) => async (args) => {
          const [service, operation] = names(context);
          const origin = currentOrigin();
          for (const listener of this.listeners) listener(service, operation, origin);
          try {
            return await next(args);
          } catch (error) {
            for (const outcome of this.outcomes) outcome.failed?.(service, operation, error);
            throw error;
          }
        },
        { step: 'initialize', name: 'serviceOperatorCallCounter' },
      );
      // Low priority in finalizeRequest: inside the SDK's retry middleware, so once per attempt.
      client.middlewareStack.add(
        (next, context: HandlerExecutionContext) => async (args) => {
          const { lane } = currentOrigin();
          const budget = lane === undefined ? undefined : this.budget;
          await budget?.acquire(lane as string);
          try {
            const result = await next(args);
            budget?.succeeded();
            return result;
          } catch (error) {
            const [service, operation] = names(context);
            if (budget && isAwsThrottling(error)) budget.throttled();
            for (const outcome of this.outcomes) outcome.attemptFailed?.(service, operation, error);
            throw error;
          }
        },
        { step: 'finalizeRequest', priority: 'low', name: 'serviceOperatorAttemptCounter' },
      );
      this.clients.set(Client, client);
    }
    return client;
  }

  onCall(listener: CallListener): void {
    this.root.listeners.push(listener);
    this.root.derived.forEach((derived) => derived.onCall(listener));
  }

  /** Holds every attempt of a background call (one made with a lane, see call-origin.ts) to `budget`. */
  limitBackgroundCalls(budget: CallBudget): void {
    this.root.budget = budget;
    this.root.derived.forEach((derived) => derived.limitBackgroundCalls(budget));
  }

  onOutcome(outcomes: CallOutcomes): void {
    this.root.outcomes.push(outcomes);
    this.root.derived.forEach((derived) => derived.onOutcome(outcomes));
  }

  destroy(): void {
    this.root.derived.forEach((derived) => derived.destroy());
    for (const client of this.root.clients.values()) client.destroy();
    this.root.clients.clear();
  }
}
