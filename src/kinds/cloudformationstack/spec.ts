// The CloudFormationStack spec in canonical form: parameters by name, capabilities sorted, the
// template as written; and its rules.
import { fieldError, type FieldError } from '../../api/errors.js';
import { deepEqual } from '../../api/json.js';

export interface ConfigMapKeyRef {
  name: string;
  key: string;
}

export interface StackParameter {
  name: string;
  value?: string;
  valueFrom?: { configMapKeyRef: ConfigMapKeyRef };
}

export interface TemplateRef {
  name: string;
  sha256?: string;
  url?: string;
}

export interface StackSpec {
  stackName?: string;
  template?: string;
  templateRef?: TemplateRef;
  parameters?: StackParameter[];
  capabilities?: string[];
  terminationProtection: boolean;
}

/** A schema-valid spec as it arrives in a request. */
type Loose = Record<string, unknown>;

/**
 * A parameter read from a ConfigMap key, written without its value (as users write it, and as GET
 * shows it): the value the stack has from the same key, until the next write reads the key again.
 */
function withCurrentValue(parameter: StackParameter, current: StackSpec | undefined): StackParameter {
  if (parameter.value !== undefined || !parameter.valueFrom) return { ...parameter };
  const known = current?.parameters?.find((p) => p.name === parameter.name && deepEqual(p.valueFrom, parameter.valueFrom));
  return known?.value !== undefined ? { ...parameter, value: known.value } : { ...parameter };
}

export function canonicalSpec(spec: Loose, current?: StackSpec): StackSpec {
  const stackName = (spec.stackName as string | undefined) ?? current?.stackName;
  const parameters = (spec.parameters as StackParameter[] | undefined)?.map((p) => withCurrentValue(p, current)).sort((a, b) => a.name.localeCompare(b.name));
  const capabilities = [...new Set(spec.capabilities as string[] | undefined)].sort();
  return {
    ...(stackName !== undefined ? { stackName } : {}),
    ...(spec.template !== undefined ? { template: spec.template as string } : {}),
    ...(spec.templateRef !== undefined ? { templateRef: spec.templateRef as StackSpec['templateRef'] } : {}),
    ...(parameters?.length ? { parameters } : {}),
    ...(capabilities.length ? { capabilities } : {}),
    terminationProtection: (spec.terminationProtection as boolean | undefined) ?? false,
  };
}

/**
 * What a spec names that has not been found (resolveReferences leaves it unresolved): a template
 * without the URL it is read from, parameters read from ConfigMap keys without a value. Empty when
 * CloudFormation can be given the stack.
 */
export function waitsFor(spec: StackSpec): string[] {
  const template = spec.templateRef && !spec.templateRef.url ? [`CloudFormationTemplate "${spec.templateRef.name}"`] : [];
  const keys = (spec.parameters ?? []).flatMap((p) => {
    const ref = p.valueFrom?.configMapKeyRef;
    return ref && p.value === undefined ? [`key "${ref.key}" of ConfigMap "${ref.name}"`] : [];
  });
  return [...template, ...keys];
}

function parameterErrors(parameters: StackParameter[]): FieldError[] {
  const seen = new Set<string>();
  return parameters.flatMap((p, i) => {
    const errors: FieldError[] = [];
    if (seen.has(p.name)) errors.push(fieldError('FieldValueDuplicate', `spec.parameters[${i}].name`, 'parameter names must be unique', p.name));
    seen.add(p.name);
    if (p.value === undefined && p.valueFrom === undefined) errors.push(fieldError('FieldValueRequired', `spec.parameters[${i}].value`, 'give a value or valueFrom'));
    return errors;
  });
}

export function validateSpec(spec: StackSpec): FieldError[] {
  const errors: FieldError[] = [];
  if ((spec.template === undefined) === (spec.templateRef === undefined)) {
    errors.push(fieldError('FieldValueRequired', 'spec.template', 'give the template inline (template) or name a CloudFormationTemplate (templateRef), one of the two'));
  }
  return [...errors, ...parameterErrors(spec.parameters ?? [])];
}
