// The CloudFormationTemplate's data in canonical form, and its rules. The template text is kept as
// written (CloudFormation reads YAML and JSON; reformatting would only lose the user's comments).
import { fieldError, type FieldError } from '../../api/errors.js';

export interface TemplateSpec {
  key?: string;
  template: string;
}

/** A schema-valid `data` as it arrives in a request. */
type Loose = Record<string, unknown>;

/** On update an omitted key keeps the one the template is stored under (a defaulted one, say). */
export function canonicalSpec(spec: Loose, current?: TemplateSpec): TemplateSpec {
  const key = (spec.key as string | undefined) ?? current?.key;
  return { ...(key !== undefined ? { key } : {}), template: spec.template as string };
}

/** S3's safe key characters; path segments, none of them empty, "." or "..". */
const KEY = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;

export function validateSpec(spec: TemplateSpec): FieldError[] {
  const key = spec.key;
  if (key === undefined) return [];
  const segments = key.split('/');
  if (KEY.test(key) && !segments.some((segment) => segment === '.' || segment === '..')) return [];
  return [fieldError('FieldValueInvalid', 'data.key', 'a key is path segments of letters, digits and ! _ . * \' ( ) - joined by "/", none of them "." or ".."', key)];
}
