// Which AWS account and region each namespace's resources live in, and the SDK clients for them: one
// set of clients per (role, region, namespace) for assumed roles, one per region for the server's own
// identity. The choice comes from the cluster's account map and the namespace's annotations
// (mapping.ts), read from the cluster and cached briefly; a namespace whose annotations ask for a
// role it may not use gets clients whose every call is a 403 naming the reason.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { forbidden } from '../../api/errors.js';
import type { NamespaceSource } from '../../api/namespace-source.js';
import type { AwsClients } from '../clients.js';
import { memoize } from '../memoize.js';
import { assumedRoleCredentials } from './credentials.js';
import { chooseAccount, type AccountChoice, type AccountMapping } from './mapping.js';

/** What the directory logs with (the server's logger). */
export interface AccountLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface AccountPartition {
  key: string;
  region: string;
  roleArn?: string;
  clients: AwsClients;
  accountId: () => Promise<string>;
}

/** How long a namespace's annotations are trusted before a request reads them again. */
const ANNOTATIONS_TTL_MS = 5_000;

export class AccountDirectory {
  private readonly annotations = new Map<string, { annotations: Record<string, string>; readAt: number }>();
  private readonly partitions = new Map<string, AccountPartition>();

  constructor(
    private readonly base: AwsClients,
    private readonly baseAccountId: () => Promise<string>,
    private readonly serverRegion: string,
    private readonly clusterName: string,
    private readonly mapping: AccountMapping,
    private readonly source: NamespaceSource | undefined,
    private readonly log: AccountLog,
    private readonly now: () => number = Date.now,
  ) {}

  private choiceOf(namespace: string): AccountChoice | { refused: string } {
    return chooseAccount(this.mapping, namespace, this.annotations.get(namespace)?.annotations ?? {}, this.serverRegion);
  }

  /** The partition a namespace's resources are in, as far as its annotations were last read. */
  partitionOf(namespace: string | undefined): AccountPartition {
    if (namespace === undefined) return this.partition(`|${this.serverRegion}`, { region: this.serverRegion });
    const choice = this.choiceOf(namespace);
    if ('refused' in choice) return this.refusedPartition(namespace, choice.refused);
    return this.partition(choice.roleArn ? `${choice.roleArn}|${choice.region}|${namespace}` : `|${choice.region}`, choice, namespace);
  }

  /** The partition key of a namespace (which account listing its resources may come from). */
  keyOf(namespace: string): string {
    return this.partitionOf(namespace).key;
  }

  /**
   * Before a request in `namespace`: its annotations, read again once they are older than the TTL, so
   * a changed annotation takes effect within seconds; a refused choice is a 403 now.
   */
  async prepare(namespace: string): Promise<void> {
    if (!this.source || !namespace) return;
    const known = this.annotations.get(namespace);
    if (!known || this.now() - known.readAt > ANNOTATIONS_TTL_MS) {
      const annotations = await this.source.annotations(namespace).catch((error: unknown) => {
        this.log.warn({ namespace, err: error instanceof Error ? error.message : error }, 'could not read the annotations of a namespace; using those read last');
        return known?.annotations;
      });
      this.annotations.set(namespace, { annotations: annotations ?? {}, readAt: this.now() });
    }
    const choice = this.choiceOf(namespace);
    if ('refused' in choice) throw forbidden(`namespace "${namespace}" cannot reach AWS: ${choice.refused}`);
  }

  /** Reads every namespace's annotations (each resync), so listings cover every account in use. */
  async refreshAll(): Promise<void> {
    if (!this.source) return;
    const all = await this.source.list();
    const readAt = this.now();
    for (const namespace of this.annotations.keys()) if (!all.has(namespace)) this.annotations.delete(namespace);
    for (const [namespace, annotations] of all) this.annotations.set(namespace, { annotations, readAt });
  }

  /**
   * The partitions of every namespace known (mapped, or whose annotations were read), and the server's
   * own. A refused namespace's partition is among them: listing it fails, which marks its objects
   * Ready=False with the reason (registry/store-reader.ts).
   */
  inUse(): AccountPartition[] {
    const namespaces = new Set([...this.mapping.keys(), ...this.annotations.keys()]);
    const partitions = new Map([[`|${this.serverRegion}`, this.partitionOf(undefined)]]);
    for (const namespace of namespaces) {
      const partition = this.partitionOf(namespace);
      partitions.set(partition.key, partition);
    }
    return [...partitions.values()];
  }

  private partition(key: string, choice: AccountChoice, namespace?: string): AccountPartition {
    let partition = this.partitions.get(key);
    if (partition) return partition;
    const { roleArn, region } = choice;
    if (!roleArn) {
      const clients = region === this.serverRegion ? this.base : this.base.derive(region, this.base.config.credentials);
      partition = { key, region, clients, accountId: this.baseAccountId };
    } else {
      const credentials = assumedRoleCredentials(this.base, { roleArn, clusterName: this.clusterName, namespace: namespace as string });
      const clients = this.base.derive(region, credentials);
      const accountId = memoize(async () => (await clients.client(STSClient).send(new GetCallerIdentityCommand({}))).Account as string);
      partition = { key, region, roleArn, clients, accountId };
      this.log.info({ namespace, roleArn, region }, 'serving a namespace from an assumed role');
    }
    this.partitions.set(key, partition);
    return partition;
  }

  /** Clients for a namespace whose annotations ask for what it may not use: every call is a 403 saying why. */
  private refusedPartition(namespace: string, reason: string): AccountPartition {
    const key = `refused|${namespace}|${reason}`;
    let partition = this.partitions.get(key);
    if (!partition) {
      const error = forbidden(`namespace "${namespace}" cannot reach AWS: ${reason}`);
      const clients = this.base.derive(this.serverRegion, () => Promise.reject(error));
      partition = { key, region: this.serverRegion, clients, accountId: () => Promise.reject(error) };
      this.partitions.set(key, partition);
    }
    return partition;
  }
}
