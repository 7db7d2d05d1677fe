// Default physical names: derived from cluster, namespace and object name so that two namespaces or two
// clusters sharing an AWS account never collide, within each service's length and character rules.
import { createHash } from 'node:crypto';
import type { ObjectIdentity } from './context.js';

export interface NamingRules {
  /** Joins the parts; must be a character Kubernetes forbids in cluster and namespace names. */
  separator: string;
  maxLength: number;
  /** Always append a hash (for services whose rules make the joined form ambiguous, e.g. lowercase-only). */
  alwaysHash?: boolean;
  /** Maps characters the service does not accept. */
  sanitize?: (text: string) => string;
  /** Hex digits of the identity's hash that end a hashed name (default 8). */
  hashLength?: number;
}

const HASH_LENGTH = 8;

/** Hex digits of a hash of the object's identity: the part of a default name that keeps it unique. */
export function identityHash(identity: ObjectIdentity, length = HASH_LENGTH): string {
  return createHash('sha256').update(`${identity.clusterName}\0${identity.namespace}\0${identity.name}`).digest('hex').slice(0, length);
}

/**
 * `<cluster><sep><namespace><sep><name>`; when that is too long, had characters the service does not
 * accept mapped away (two names could then meet), or the rules ask for it, it is cut and ends in a hash
 * of the full identity, which keeps it unique.
 */
export function defaultPhysicalName(identity: ObjectIdentity, rules: NamingRules): string {
  const joined = [identity.clusterName, identity.namespace, identity.name].join(rules.separator);
  const clean = rules.sanitize ? rules.sanitize(joined) : joined;
  if (!rules.alwaysHash && clean === joined && clean.length <= rules.maxLength) return clean;
  const suffix = `-${identityHash(identity, rules.hashLength)}`;
  return `${clean.slice(0, rules.maxLength - suffix.length)}${suffix}`;
}

/** A DNS label (a namespace) followed by the separator: what comes after the cluster in a joined default name. */
const namespaceThen = (separator: string) => new RegExp(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?${separator.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.`);
const hashed = (length = HASH_LENGTH) => new RegExp(`-[0-9a-f]{${length}}$`);

/**
 * Whether `name` has a shape a default name of `clusterName` can take: `<cluster><sep><namespace><sep>
 * <name>`, or `<cluster><sep>...-<hash>`, each perhaps ending in one of `suffixes` (`.fifo`). Explicit
 * names of that shape could take another object's default name, before that object exists even.
 */
export function inDefaultNameSpace(name: string, clusterName: string, rules: Omit<NamingRules, 'maxLength'>, suffixes: string[] = []): boolean {
  const suffix = suffixes.find((s) => name.endsWith(s)) ?? '';
  const bare = name.slice(0, name.length - suffix.length);
  const joined = `${clusterName}${rules.separator}`;
  const prefix = rules.sanitize ? rules.sanitize(joined) : joined;
  if (!bare.startsWith(prefix)) return false;
  return hashed(rules.hashLength).test(bare) || (!rules.alwaysHash && namespaceThen(rules.separator).test(bare.slice(prefix.length)));
}

const FIFO_SUFFIX = '.fifo';
/** Default SNS and SQS names: "_" joins the parts (Kubernetes names never contain it). */
export const MESSAGING_NAMING = { separator: '_', sanitize: (text: string) => text.replace(/[^A-Za-z0-9_-]/g, '-') };
export const MESSAGING_SUFFIXES = [FIFO_SUFFIX];

/**
 * A default name for an SNS topic or SQS queue: letters, digits, `-` and `_` only (`_` joins the parts,
 * as Kubernetes names never contain it), and the `.fifo` suffix AWS requires of FIFO ones.
 */
export function defaultMessagingName(identity: ObjectIdentity, maxLength: number, fifo: boolean): string {
  const suffix = fifo ? FIFO_SUFFIX : '';
  const base = defaultPhysicalName(identity, { ...MESSAGING_NAMING, maxLength: maxLength - suffix.length });
  return `${base}${suffix}`;
}
