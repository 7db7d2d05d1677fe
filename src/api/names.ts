// Name and label syntax checks from k8s.io/apimachinery/pkg/util/validation, with its messages.
import { fieldError, type FieldError } from './errors.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function dns1123LabelErrors(value: string, field: string): FieldError[] {
  if (value.length > 63) return [fieldError('FieldValueInvalid', field, 'must be no more than 63 characters', value)];
  if (!DNS1123_LABEL.test(value)) {
    return [
      fieldError(
        'FieldValueInvalid',
        field,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        value,
      ),
    ];
  }
  return [];
}

export function dns1123SubdomainErrors(value: string, field: string): FieldError[] {
  if (value.length > 253) return [fieldError('FieldValueInvalid', field, 'must be no more than 253 characters', value)];
  if (!DNS1123_SUBDOMAIN.test(value)) {
    return [
      fieldError(
        'FieldValueInvalid',
        field,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        value,
      ),
    ];
  }
  return [];
}

/** Label and annotation keys: an optional DNS subdomain prefix, a slash, and a name of at most 63 characters. */
export function qualifiedNameErrors(key: string, field: string): FieldError[] {
  const parts = key.split('/');
  const name = parts.length === 2 ? parts[1] : parts[0];
  if (parts.length > 2 || name.length === 0) {
    return [fieldError('FieldValueInvalid', field, "a qualified name must consist of alphanumeric characters, '-', '_' or '.', with an optional DNS subdomain prefix and '/'", key)];
  }
  const errors: FieldError[] = [];
  if (parts.length === 2) {
    if (parts[0].length === 0) errors.push(fieldError('FieldValueInvalid', field, 'prefix part must be non-empty', key));
    else errors.push(...dns1123SubdomainErrors(parts[0], field).map((e) => ({ ...e, detail: `prefix part ${e.detail}` })));
  }
  if (name.length > 63) errors.push(fieldError('FieldValueInvalid', field, 'name part must be no more than 63 characters', key));
  else if (!QUALIFIED_NAME_PART.test(name)) {
    errors.push(
      fieldError(
        'FieldValueInvalid',
        field,
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        key,
      ),
    );
  }
  return errors;
}

export function labelValueErrors(value: string, field: string): FieldError[] {
  if (value.length > 63) return [fieldError('FieldValueInvalid', field, 'must be no more than 63 characters', value)];
  if (!LABEL_VALUE.test(value)) {
    return [
      fieldError(
        'FieldValueInvalid',
        field,
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        value,
      ),
    ];
  }
  return [];
}
