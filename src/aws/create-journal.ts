// The create journal (registry/half-made.ts) in the AWS account: one SSM parameter per create under
// way, `/service-operator.aws/creates/<cluster>/<plural>/<namespace>/<name>`, whose value says which
// resource it makes and with which uid. Whoever may merely tag resources cannot write it.
import type { AwsContext } from './context.js';
import { awsErrorCode } from './errors.js';
import { createParameter, deleteParameter, readParameter } from './parameters.js';

/** What a create records before it makes anything (registry/half-made.ts). */
export interface CreateRecord {
  /** The physical name of the resource it makes. */
  ref: string;
  /** The uid it gives the object (in the resource's metadata tags). */
  uid: string;
}

/** Where creates record themselves, by object (`<plural>/<namespace>/<name>`). */
export interface CreateJournal {
  record(key: string, entry: CreateRecord): Promise<void>;
  read(key: string): Promise<CreateRecord | undefined>;
  forget(key: string): Promise<void>;
}

const DESCRIPTION = 'A create under way (service-operator.aws): what it makes, so that only its own half-made resource is ever removed.';

/** `context` gives the namespace's account (aws/accounts/): a create is recorded where it makes its resource. */
export function ssmCreateJournal(context: (namespace: string) => AwsContext, clusterName: string): CreateJournal {
  const nameOf = (key: string) => `/service-operator.aws/creates/${clusterName}/${key}`;
  // Keys are `<plural>/<namespace>/<name>` (registry/store-reader.ts, journalKey).
  const contextOf = (key: string) => context(key.split('/')[1] ?? '');
  return {
    async record(key: string, entry: CreateRecord): Promise<void> {
      const ctx = contextOf(key);
      const value = JSON.stringify(entry);
      // A record left by an attempt that made nothing is replaced.
      await deleteParameter(ctx, nameOf(key));
      try {
        await createParameter(ctx, nameOf(key), value, DESCRIPTION, {});
      } catch (error) {
        // The answer was lost and the SDK's retry met the record it had just written: it is there.
        if (awsErrorCode(error) !== 'ParameterAlreadyExists' || (await readParameter(ctx, nameOf(key))) !== value) throw error;
      }
    },
    async read(key: string): Promise<CreateRecord | undefined> {
      const value = await readParameter(contextOf(key), nameOf(key));
      try {
        return value === undefined ? undefined : (JSON.parse(value) as CreateRecord);
      } catch {
        return undefined;
      }
    },
    async forget(key: string): Promise<void> {
      await deleteParameter(contextOf(key), nameOf(key));
    },
  };
}
