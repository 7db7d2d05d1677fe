// Adoption claims (registry/adoption.ts) in the AWS account: one SSM parameter per resource being
// adopted, `/service-operator.aws/adoptions/<plural>/<hash of the physical name>`, whose value names
// the object adopting it. PutParameter without Overwrite creates a parameter once: of two racing
// adopters (in one cluster or in two that share the account), exactly one holds the claim.
import { createHash } from 'node:crypto';
import type { AwsContext } from './context.js';
import { awsErrorCode } from './errors.js';
import type { OwnerIdentity } from './metadata-tags.js';
import { createParameter, deleteParameter, overwriteParameter, readParameter } from './parameters.js';

/** An adoption under way, as its claim records it. */
export interface AdoptionClaim {
  cluster: string;
  namespace: string;
  name: string;
  /** When the claim was made (RFC 3339). */
  since: string;
}

/** What a claim attempt found: the claim is ours now, or someone else's claim holds the resource. */
export type ClaimOutcome = { held: true } | { held: false; holder: AdoptionClaim | undefined; where: string };

/**
 * Claims on resources being adopted, keyed by kind and physical name (as the spec names it, the same for every adopter), shared by every cluster that
 * uses the account. `claim` is atomic: of two racing claims exactly one is held. A claim of the same
 * object (a retry after a crash) is held again.
 */
export interface AdoptionClaims {
  claim(ctx: AwsContext, plural: string, ref: string, claim: AdoptionClaim): Promise<ClaimOutcome>;
  release(ctx: AwsContext, plural: string, ref: string): Promise<void>;
}

export function sameClaimant(claim: AdoptionClaim | undefined, owner: OwnerIdentity): boolean {
  return claim !== undefined && claim.cluster === owner.cluster && claim.namespace === owner.namespace && claim.name === owner.name;
}

const DESCRIPTION = 'An adoption under way (service-operator.aws): which object is taking this resource over.';

export function claimParameterName(plural: string, ref: string): string {
  return `/service-operator.aws/adoptions/${plural}/${createHash('sha256').update(ref).digest('hex').slice(0, 40)}`;
}

function parseClaim(value: string | undefined): AdoptionClaim | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value) as Partial<AdoptionClaim>;
    const fields = [parsed.cluster, parsed.namespace, parsed.name, parsed.since];
    return fields.every((field) => typeof field === 'string') ? (parsed as AdoptionClaim) : undefined;
  } catch {
    return undefined;
  }
}

export const ssmAdoptionClaims: AdoptionClaims = {
  async claim(ctx: AwsContext, plural: string, ref: string, claim: AdoptionClaim): Promise<ClaimOutcome> {
    const where = claimParameterName(plural, ref);
    const value = JSON.stringify(claim);
    try {
      await createParameter(ctx, where, value, DESCRIPTION, {});
      return { held: true };
    } catch (error) {
      if (awsErrorCode(error) !== 'ParameterAlreadyExists') throw error;
    }
    const holder = parseClaim(await readParameter(ctx, where));
    if (!sameClaimant(holder, claim)) return { held: false, holder, where };
    // This object's own claim, left by an attempt that did not finish (or whose answer was lost).
    await overwriteParameter(ctx, where, value);
    return { held: true };
  },
  async release(ctx: AwsContext, plural: string, ref: string): Promise<void> {
    await deleteParameter(ctx, claimParameterName(plural, ref));
  },
};
