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

type Loose = Record<string, unknown>;

/** ECR's rule: lowercase path segments of letters and digits joined by single `.`, `_` or `-`. */
export const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** Defaults; on update an omitted repository name or KMS key keeps what AWS has. */
export function defaultSpec(spec: Loose, current?: Loose): Loose {
  const repositoryName = spec.repositoryName ?? current?.repositoryName;
  const encryption = (spec.encryption ?? {}) as Loose;
  const currentEncryption = (current?.encryption ?? {}) as Loose;
  const type = encryption.type ?? 'AES256';
  const kmsKey = encryption.kmsKey ?? (type === 'KMS' && currentEncryption.type === 'KMS' ? currentEncryption.kmsKey : undefined);
  return {
    ...spec,
    ...(repositoryName !== undefined ? { repositoryName } : {}),
    imageTagMutability: spec.imageTagMutability ?? 'MUTABLE',
    scanOnPush: spec.scanOnPush ?? false,
    encryption: { type, ...(kmsKey !== undefined ? { kmsKey } : {}) },
  };
}

export function canonicalSpec(input: Loose): Loose {
  const spec = defaultSpec(input);
  return {
    ...(spec.repositoryName !== undefined ? { repositoryName: spec.repositoryName } : {}),
    imageTagMutability: spec.imageTagMutability,
    scanOnPush: spec.scanOnPush,
    encryption: spec.encryption,
    ...(spec.lifecyclePolicy !== undefined ? { lifecyclePolicy: spec.lifecyclePolicy } : {}),
    ...(spec.repositoryPolicy !== undefined ? { repositoryPolicy: spec.repositoryPolicy } : {}),
    ...(spec.tags !== undefined ? { tags: spec.tags } : {}),
  };
}

/** AWS's naming rule and the encryption rule. `spec` is canonical. */
export function validateSpec(loose: Loose): FieldError[] {
  const spec = loose as unknown as ECRRepositorySpec;
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
