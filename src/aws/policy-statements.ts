// Resource policies that hold both the user's statements (from the spec) and statements this server
// manages (an SNS topic's right to send to a queue, a website's public read...). Managed statements have
// Sids starting with "ServiceOperator"; the spec shows only the user's part, and writes keep both.

export type PolicyDocument = Record<string, unknown>;
export type Statement = Record<string, unknown>;

const MANAGED_SID_PREFIX = 'ServiceOperator';

export function managedSid(name: string): string {
  return `${MANAGED_SID_PREFIX}${name}`;
}

function statementsOf(policy: PolicyDocument | undefined): Statement[] {
  const statements = policy?.Statement;
  if (statements === undefined) return [];
  return (Array.isArray(statements) ? statements : [statements]) as Statement[];
}

const isManaged = (statement: Statement): boolean => typeof statement.Sid === 'string' && statement.Sid.startsWith(MANAGED_SID_PREFIX);

export interface SplitPolicy {
  /** The user's policy, without the managed statements; undefined when there is none. */
  user?: PolicyDocument;
  managed: Statement[];
}

/** Splits a policy (AWS's JSON text) into the user's part and the statements this server manages. */
export function splitPolicy(text: string | undefined): SplitPolicy {
  const policy = text ? (JSON.parse(text) as PolicyDocument) : undefined;
  const statements = statementsOf(policy);
  const managed = statements.filter(isManaged);
  if (!managed.length) return { ...(policy ? { user: policy } : {}), managed };
  const own = statements.filter((s) => !isManaged(s));
  return { ...(own.length ? { user: { ...policy, Statement: own } } : {}), managed };
}

/** The policy text to write for a user's policy plus managed statements ('' when there is nothing). */
export function joinPolicy(split: SplitPolicy): string {
  if (!split.managed.length) return split.user ? JSON.stringify(split.user) : '';
  return JSON.stringify({ Version: '2012-10-17', ...split.user, Statement: [...statementsOf(split.user), ...split.managed] });
}

/** `split` with the managed statements named in `sids` replaced by `statements`. */
export function withManaged(split: SplitPolicy, sids: string[], statements: Statement[]): SplitPolicy {
  return { ...split, managed: [...split.managed.filter((s) => !sids.includes(s.Sid as string)), ...statements] };
}
