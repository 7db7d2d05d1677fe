// The cluster-level mapping of namespaces to AWS accounts (docs/security.md, "Accounts and regions"):
// which IAM roles each namespace may use, and its defaults. It is written by the cluster's
// administrators (a file from a ConfigMap, --account-map); a namespace's annotations may then choose
// among the roles the mapping allows it, never any other. Namespaces the mapping does not name use
// the server's own identity.
import { readFileSync } from 'node:fs';
import { isPlainObject } from '../../api/types.js';

/** Namespace annotation: the IAM role to assume for the namespace's AWS resources. */
export const ROLE_ANNOTATION = 'service-operator.aws/role-arn';
/** Namespace annotation: the AWS region of the namespace's resources. */
export const REGION_ANNOTATION = 'service-operator.aws/region';

export interface NamespaceAccount {
  /** The role assumed when the namespace's annotations choose none. */
  roleArn?: string;
  /** Roles the namespace's annotation may choose (roleArn is always allowed). */
  allowedRoles: string[];
  /** The namespace's region when its annotations choose none (else the server's). */
  region?: string;
}

export type AccountMapping = ReadonlyMap<string, NamespaceAccount>;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export function isRoleArn(value: string): boolean {
  return ROLE_ARN.test(value);
}

export function isRegion(value: string): boolean {
  return REGION.test(value);
}

function entryOf(namespace: string, value: unknown): NamespaceAccount {
  const where = `account map: namespaces.${namespace}`;
  if (!isPlainObject(value)) throw new Error(`${where} must be an object`);
  const { roleArn, allowedRoles = [], region, ...rest } = value;
  if (Object.keys(rest).length) throw new Error(`${where}: unknown fields ${Object.keys(rest).join(', ')} (known: roleArn, allowedRoles, region)`);
  if (roleArn !== undefined && (typeof roleArn !== 'string' || !isRoleArn(roleArn))) throw new Error(`${where}.roleArn must be an IAM role ARN`);
  if (!Array.isArray(allowedRoles) || !allowedRoles.every((role) => typeof role === 'string' && isRoleArn(role))) throw new Error(`${where}.allowedRoles must be a list of IAM role ARNs`);
  if (region !== undefined && (typeof region !== 'string' || !isRegion(region))) throw new Error(`${where}.region must be an AWS region such as eu-west-1`);
  return { ...(roleArn ? { roleArn } : {}), allowedRoles: allowedRoles as string[], ...(region ? { region } : {}) };
}

/** Parses the mapping: `{"namespaces": {"<namespace>": {"roleArn", "allowedRoles", "region"}}}`. */
export function parseAccountMapping(text: string): AccountMapping {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`account map: not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!isPlainObject(parsed) || !isPlainObject(parsed.namespaces ?? {})) throw new Error('account map: must be {"namespaces": {...}}');
  const namespaces = (parsed.namespaces ?? {}) as Record<string, unknown>;
  return new Map(Object.entries(namespaces).map(([namespace, value]) => [namespace, entryOf(namespace, value)]));
}

export function readAccountMapping(file: string | undefined): AccountMapping {
  return file ? parseAccountMapping(readFileSync(file, 'utf8')) : new Map();
}

/** Where a namespace's resources live: the role to assume (none: the server's identity) and the region. */
export interface AccountChoice {
  roleArn?: string;
  region: string;
}

/**
 * The namespace's account given its annotations, or why its annotations ask for one it may not use.
 * A role annotation must name a role the mapping allows the namespace.
 */
export function chooseAccount(mapping: AccountMapping, namespace: string, annotations: Record<string, string>, serverRegion: string): AccountChoice | { refused: string } {
  const entry = mapping.get(namespace);
  const annotatedRole = annotations[ROLE_ANNOTATION];
  const region = annotations[REGION_ANNOTATION] ?? entry?.region ?? serverRegion;
  if (!isRegion(region)) return { refused: `its annotation ${REGION_ANNOTATION} "${region}" is not an AWS region` };
  if (annotatedRole === undefined) return { ...(entry?.roleArn ? { roleArn: entry.roleArn } : {}), region };
  const allowed = entry ? [...(entry.roleArn ? [entry.roleArn] : []), ...entry.allowedRoles] : [];
  if (!allowed.includes(annotatedRole)) {
    return { refused: `its annotation ${ROLE_ANNOTATION} names the role "${annotatedRole}", which the cluster's account map does not allow namespace "${namespace}" to use` };
  }
  return { roleArn: annotatedRole, region };
}
