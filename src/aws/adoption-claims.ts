// Adoption claims (registry/adoption.ts) in the AWS account: one SSM parameter per resource being
// adopted, `/service-operator.aws/adoptions/<plural>/<hash of the physical name>`, whose value names
// the object adopting it. PutParameter without Overwrite creates a parameter once: of two racing
// adopters (in one cluster or in two that share the account), exactly one holds the claim.
import { createHash } from 'node:crypto';
import type { AdoptionClaim, AdoptionClaims, ClaimOutcome } from '../registry/adoption.js';
import { sameClaimant } from '../registry/adoption.js';
import type { KindContext } from '../registry/kind.js';
import { awsErrorCode } from './errors.js';
import { createParameter, deleteParameter, overwriteParameter, readParameter } from './parameters.js';

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
  async claim(ctx: KindContext, plural: string, ref: string, claim: AdoptionClaim): Promise<ClaimOutcome> {
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
  async release(ctx: KindContext, plural: string, ref: string): Promise<void> {
    await deleteParameter(ctx, claimParameterName(plural, ref));
  },
};
