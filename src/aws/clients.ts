// One factory for every AWS SDK v3 client the kinds use, sharing region, endpoint, credentials and retry
// policy, and counting calls per operation (the benchmark and /metrics report them).
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import type { HandlerExecutionContext, InitializeHandlerOptions, InitializeMiddleware } from '@smithy/types';

export interface AwsClientConfig {
  region: string;
  /** A non-AWS endpoint such as a local moto_server; undefined means the SDK's normal resolution. */
  endpoint?: string;
  /** Fixed credentials (local moto); undefined means the SDK's default provider chain. */
  credentials?: AwsCredentialIdentity;
  /** Attempts per call, including the first; the SDK backs off exponentially between them. */
  maxAttempts: number;
}

export type CallListener = (service: string, operation: string) => void;

/** What every SDK v3 client has. Its input/output types vary per service; the counter ignores them. */
interface SdkClient {
  middlewareStack: {
    // `any`: each service client has its own input/output unions, and the counter looks at neither.
    add(middleware: InitializeMiddleware<any, any>, options: InitializeHandlerOptions & { name: string }): void;
  };
  destroy(): void;
}

type ClientClass<T> = new (config: {
  region: string;
  endpoint?: string;
  credentials?: AwsCredentialIdentity;
  maxAttempts: number;
  forcePathStyle?: boolean;
}) => T;

export class AwsClients {
  private readonly clients = new Map<unknown, SdkClient>();
  private readonly listeners: CallListener[] = [];

  constructor(readonly config: AwsClientConfig) {}

  /** The shared instance of an SDK client class, e.g. `aws.client(DynamoDBClient)`. */
  client<T extends SdkClient>(Client: ClientClass<T>): T {
    let client = this.clients.get(Client) as T | undefined;
    if (!client) {
      client = new Client({
        region: this.config.region,
        maxAttempts: this.config.maxAttempts,
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
    this.listeners.push(listener);
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}
