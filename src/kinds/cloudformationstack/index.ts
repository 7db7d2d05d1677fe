// CloudFormationStack (new in this server): a stack from an inline template or a CloudFormationTemplate
// of the namespace, with parameters (values, or keys of the namespace's ConfigMaps: the outputs of
// other objects), capabilities, tags and termination protection. Its outputs are in `output` and the
// ConfigMap; updates go through change sets (described in an Event); a rollback is a condition. What
// CloudFormation can make, a stack object makes: writing stacks is for the namespace admin role.
import { CloudFormationClient, ValidateTemplateCommand, type TemplateParameter } from '@aws-sdk/client-cloudformation';
import { parse } from 'yaml';
import { fieldError, type FieldError } from '../../api/errors.js';
import { awsErrorCode } from '../../aws/errors.js';
import { SpecInvalid, type KindContext, type KindDefinition, type ReferenceContext } from '../../registry/kind.js';
import { sha256, stackAws, templateSource } from './aws.js';
import { stackOutputSchema, stackSpecSchema, stackStatusSchema } from './schema.js';
import { canonicalSpec, validateSpec, waitsFor, type StackParameter, type StackSpec } from './spec.js';

type References = ReferenceContext<StackSpec>;

/**
 * Until a stack is created in CloudFormation, what it names may not exist yet (a GitOps tool applies
 * a whole directory in one pass, and validates all of it with dry runs first): it waits (see
 * aws.ts). A created stack keeps what it runs when what it named goes; naming something that does not
 * exist is then a 422, since the running stack cannot wait.
 */
const created = (current: StackSpec | undefined): boolean => current !== undefined && waitsFor(current).length === 0;

/** The template a templateRef names: its text's hash and the URL CloudFormation reads it from. */
async function resolveTemplate(spec: StackSpec, { lookup, current }: References): Promise<StackSpec> {
  if (!spec.templateRef) return spec;
  const { name } = spec.templateRef;
  const target = await lookup('cloudformationtemplates', name);
  const template = (target?.data as { template?: string } | undefined)?.template;
  const url = (target?.output as { url?: string } | undefined)?.url;
  if (target && template !== undefined && url) return { ...spec, templateRef: { name, sha256: sha256(template), url } };
  if (current?.templateRef?.name === name && current.templateRef.url) return { ...spec, templateRef: current.templateRef };
  if (created(current)) {
    throw new SpecInvalid([fieldError('FieldValueNotFound', 'spec.templateRef.name', `no CloudFormationTemplate named "${name}" exists in this namespace`, name)]);
  }
  return { ...spec, templateRef: { name } };
}

/** A parameter's value from its ConfigMap key; without one, the value it has (from the stack), or none yet. */
async function resolveParameter(parameter: StackParameter, index: number, { configMap, current }: References): Promise<StackParameter> {
  const ref = parameter.valueFrom?.configMapKeyRef;
  if (!ref) return parameter;
  const value = (await configMap(ref.name))?.[ref.key];
  if (value !== undefined) return { ...parameter, value };
  if (parameter.value !== undefined) return parameter;
  if (created(current)) {
    const field = `spec.parameters[${index}].valueFrom.configMapKeyRef`;
    throw new SpecInvalid([fieldError('FieldValueNotFound', field, `the ConfigMap "${ref.name}" of this namespace has no key "${ref.key}" (or does not exist)`, ref)]);
  }
  return parameter;
}

async function resolveReferences(_ctx: KindContext, spec: StackSpec, references: References): Promise<StackSpec> {
  const withTemplate = await resolveTemplate(spec, references);
  if (!withTemplate.parameters) return withTemplate;
  return { ...withTemplate, parameters: await Promise.all(withTemplate.parameters.map((p, i) => resolveParameter(p, i, references))) };
}

/**
 * The parameters a template declares: as ValidateTemplate says, or, where it says none (moto never
 * does), as an inline template's own Parameters section says (YAML or JSON; CloudFormation's short
 * tags such as !Ref are read as plain values, which is enough for the names and defaults).
 */
function declaredParameters(spec: StackSpec, validated: TemplateParameter[] | undefined): TemplateParameter[] | undefined {
  if (validated?.length) return validated;
  if (spec.template === undefined) return undefined;
  const template = parse(spec.template, { logLevel: 'silent' }) as { Parameters?: Record<string, { Default?: unknown }> } | null;
  return Object.entries(template?.Parameters ?? {}).map(([key, declared]) => ({ ParameterKey: key, ...(declared.Default !== undefined ? { DefaultValue: JSON.stringify(declared.Default) } : {}) }));
}

/**
 * CloudFormation's ValidateTemplate, and what it says the template needs: the capabilities it makes
 * you acknowledge, the parameters it declares (an unknown one, or a required one left out, fails).
 */
const capabilityError = (capability: string, reason: string | undefined): FieldError =>
  fieldError('FieldValueRequired', 'spec.capabilities', `the template needs ${capability}${reason ? ` (${reason})` : ''}`);

async function verify(ctx: KindContext, spec: StackSpec): Promise<FieldError[]> {
  // A template not found yet is checked when it is (the stack waits for it until then).
  if (spec.templateRef && !spec.templateRef.url) return [];
  const field = spec.templateRef ? 'spec.templateRef' : 'spec.template';
  let answer;
  try {
    answer = await ctx.aws.client(CloudFormationClient).send(new ValidateTemplateCommand(templateSource(spec)));
  } catch (error) {
    if (awsErrorCode(error) !== 'ValidationError') throw error;
    return [fieldError('FieldValueInvalid', field, `CloudFormation's ValidateTemplate refused it: ${(error as Error).message}`)];
  }
  const needed = (answer.Capabilities ?? []).filter((c) => !(spec.capabilities ?? []).includes(c) && !(c === 'CAPABILITY_IAM' && spec.capabilities?.includes('CAPABILITY_NAMED_IAM')));
  const parameters = declaredParameters(spec, answer.Parameters);
  if (!parameters) return needed.map((c) => capabilityError(c, answer.CapabilitiesReason));
  const declared = new Map(parameters.map((p) => [p.ParameterKey, p]));
  const given = new Set((spec.parameters ?? []).map((p) => p.name));
  return [
    ...needed.map((c) => capabilityError(c, answer.CapabilitiesReason)),
    ...(spec.parameters ?? []).flatMap((p, i) => (!declared.has(p.name) ? [fieldError('FieldValueNotFound', `spec.parameters[${i}].name`, 'the template declares no such parameter', p.name)] : [])),
    ...[...declared.values()].filter((p) => p.DefaultValue === undefined && !given.has(p.ParameterKey as string)).map((p) => fieldError('FieldValueRequired', 'spec.parameters', `the template's parameter ${p.ParameterKey} has no default: give it a value`)),
  ];
}

const cloudFormationStack: KindDefinition<StackSpec> = {
  names: { kind: 'CloudFormationStack', plural: 'cloudformationstacks', singular: 'cloudformationstack', shortNames: ['cfs', 'stack', 'stacks'] },
  description: 'A CloudFormation stack in the AWS account, from an inline template or a CloudFormationTemplate of the namespace; its outputs are the object\'s outputs. Updates go through change sets.',
  specSchema: stackSpecSchema,
  statusSchema: stackStatusSchema,
  outputSchema: stackOutputSchema,
  columns: [
    { name: 'Stack', type: 'string', description: 'Stack name in AWS.', jsonPath: '.status.stackName', priority: 0 },
    { name: 'Status', type: 'string', description: 'CloudFormation stack status.', jsonPath: '.status.stackStatus', priority: 0 },
    { name: 'Template', type: 'string', description: 'The CloudFormationTemplate, when the stack names one.', jsonPath: '.spec.templateRef.name', priority: 1 },
    { name: 'Reason', type: 'string', description: 'Why, when CloudFormation says.', jsonPath: '.status.stackStatusReason', priority: 1 },
    { name: 'ARN', type: 'string', description: 'Stack id.', jsonPath: '.status.arn', priority: 1 },
  ],
  immutableFields: ['stackName'],
  // Stack tags are copied onto the stack's resources: ours live in a document of the server's bucket.
  tagLimit: 1000,
  userTagLimit: 50,
  notAdoptable: "a stack's Kubernetes metadata lives in the server's own bucket and its template must be one of a CloudFormationTemplate's, so a stack this server did not create cannot be taken over: create a CloudFormationStack whose template describes it, or import its resources with a CloudFormation import change set",
  awsErrorCodes: { notFound: ['StackNotFoundException', 'ChangeSetNotFoundException'], inUse: ['AlreadyExistsException', 'TokenAlreadyExistsException'], invalid: ['InsufficientCapabilitiesException'] },
  canonicalSpec,
  validate: validateSpec,
  resolveReferences,
  verify,
  changeEventServices: ['cloudformation', 's3'],
  aws: stackAws,
};

export default cloudFormationStack;
