// The ECRRepository spec in canonical form: every setting explicit, so the spec rendered from AWS and a
// desired spec compare equal exactly when AWS needs no change. The original operator had no fields.
import { fieldError, type FieldError } from '../../api/errors.js';

export interface ECRRepositorySpec {
  repositoryName?: string;
  imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
  scanOnPush: boolean;
  encryption: { type: 'AES256' | 'KMS'; kmsKey?: string };
  lifecyclePolicy?: Record<string, unknown>;
  repositoryPolicy?: Record<string, unknown>;
}

/** A schema-valid spec as it arrives in a request. */
type Loose = Record<string, unknown>;

/** ECR's rule: lowercase path segments of letters and digits joined by single `.`, `_` or `-`. */
export const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** Every default filled in; on update an omitted repository name or KMS key keeps what AWS has. */
export function canonicalSpec(spec: Loose, current?: ECRRepositorySpec): ECRRepositorySpec {
  const repositoryName = (spec.repositoryName as string | undefined) ?? current?.repositoryName;
  const encryption = (spec.encryption ?? {}) as Partial<ECRRepositorySpec['encryption']>;
  const type = encryption.type ?? 'AES256';
  const kmsKey = encryption.kmsKey ?? (type === 'KMS' && current?.encryption.type === 'KMS' ? current.encryption.kmsKey : undefined);
  return {
    ...(repositoryName !== undefined ? { repositoryName } : {}),
    imageTagMutability: (spec.imageTagMutability as ECRRepositorySpec['imageTagMutability'] | undefined) ?? 'MUTABLE',
    scanOnPush: (spec.scanOnPush as boolean | undefined) ?? false,
    encryption: { type, ...(kmsKey !== undefined ? { kmsKey } : {}) },
    ...(spec.lifecyclePolicy !== undefined ? { lifecyclePolicy: spec.lifecyclePolicy as Loose } : {}),
    ...(spec.repositoryPolicy !== undefined ? { repositoryPolicy: spec.repositoryPolicy as Loose } : {}),
  };
}

/** AWS's naming rule and the encryption rule. */
export function validateSpec(spec: ECRRepositorySpec): FieldError[] {
  const errors: FieldError[] = [];
  const name = spec.repositoryName;
  if (name !== undefined && (!REPOSITORY_NAME.test(name) || name.length < 2 || name.length > 256)) {
    errors.push(fieldError('FieldValueInvalid', 'spec.repositoryName', 'a repository name is 2 to 256 characters: lowercase letters and digits, separated by single ".", "_", "-" or "/"', name));
  }
  if (spec.encryption.type !== 'KMS' && spec.encryption.kmsKey !== undefined) {
    errors.push(fieldError('FieldValueForbidden', 'spec.encryption.kmsKey', 'only with encryption type KMS'));
  }
  return errors;
}
