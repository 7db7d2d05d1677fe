// Credentials of an assumed role, for one namespace: STS AssumeRole with the server's own identity,
// an external id and session name naming the cluster and namespace (so a role's trust policy can
// admit exactly one namespace), cached and renewed well before they expire. A role that cannot be
// assumed fails every call of that namespace with a clear Status; nothing else is affected.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { forbidden, serviceUnavailable, type StatusError } from '../../api/errors.js';
import type { AwsClients } from '../clients.js';
import { awsErrorCode } from '../errors.js';

/** Renewed this long before they expire, so no call is ever signed with credentials about to lapse. */
export const RENEW_BEFORE_MS = 5 * 60_000;
const SESSION_SECONDS = 3600;
/** After a failed AssumeRole, calls fail fast with its error for this long before it is tried again. */
const RETRY_AFTER_FAILURE_MS = 5_000;

export interface RoleSession {
  roleArn: string;
  clusterName: string;
  namespace: string;
}

/** The external id a role's trust policy can require (condition sts:ExternalId). */
export function externalIdOf(session: Pick<RoleSession, 'clusterName' | 'namespace'>): string {
  return `service-operator.aws:${session.clusterName}:${session.namespace}`;
}

function sessionNameOf(session: RoleSession): string {
  return `${session.clusterName}.${session.namespace}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

function assumeFailure(session: RoleSession, error: unknown): StatusError {
  const code = awsErrorCode(error);
  const said = `${code}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  const message = `the AWS role "${session.roleArn}" of namespace "${session.namespace}" cannot be assumed (${said})`;
  return code === 'AccessDenied' || code === 'AccessDeniedException' ? forbidden(message) : serviceUnavailable(message, 5);
}

export function assumedRoleCredentials(base: AwsClients, session: RoleSession, now: () => number = Date.now): AwsCredentialIdentityProvider {
  let cached: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  let failed: { error: StatusError; at: number } | undefined;
  const assume = async (): Promise<AwsCredentialIdentity> => {
    try {
      const { Credentials: credentials } = await base.client(STSClient).send(
        new AssumeRoleCommand({ RoleArn: session.roleArn, RoleSessionName: sessionNameOf(session), ExternalId: externalIdOf(session), DurationSeconds: SESSION_SECONDS }),
      );
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) throw new Error('STS returned no credentials');
      cached = {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
        ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
      };
      failed = undefined;
      return cached;
    } catch (error) {
      failed = { error: assumeFailure(session, error), at: now() };
      throw failed.error;
    } finally {
      pending = undefined;
    }
  };
  return async () => {
    const fresh = cached && (cached.expiration === undefined || cached.expiration.getTime() - now() > RENEW_BEFORE_MS);
    if (fresh && cached) return cached;
    if (failed && now() - failed.at < RETRY_AFTER_FAILURE_MS) throw failed.error;
    pending ??= assume();
    return pending;
  };
}
