// The CloudFormationStack spec: the template (inline, or a CloudFormationTemplate of the namespace),
// parameters (values, or keys of ConfigMaps of the namespace), capabilities, termination protection;
// the stack's tags are spec.tags. Descriptions are what `kubectl explain` prints.
import type { Schema } from '../../api/schema.js';
import { stringProperties } from '../common/schemas.js';
import { MAX_TEMPLATE_BYTES } from '../cloudformationtemplate/schema.js';

export const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'];

const parameter: Schema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 255, description: 'The template parameter.' },
    value: { type: 'string', description: 'Its value; or give valueFrom (the value the stack got from there is in status.parameters).' },
    valueFrom: {
      type: 'object',
      description: 'Where the value comes from instead, read when the stack is written (as a Pod\'s env). A new stack waits until the key exists.',
      required: ['configMapKeyRef'],
      properties: {
        configMapKeyRef: {
          type: 'object',
          description: 'A key of a ConfigMap of this namespace (an outputs ConfigMap of another object, say).',
          required: ['name', 'key'],
          properties: { name: { type: 'string', minLength: 1, description: 'The ConfigMap.' }, key: { type: 'string', minLength: 1, description: 'The key.' } },
        },
      },
    },
  },
};

export const stackSpecSchema: Schema = {
  type: 'object',
  description: 'The desired stack. GET shows what CloudFormation has.',
  properties: {
    stackName: {
      type: 'string',
      minLength: 1,
      maxLength: 128,
      pattern: '^[A-Za-z][-A-Za-z0-9]*$',
      description: 'The stack name in AWS. Defaults to "<cluster>-<namespace>-<name>" (with a hash of them where that is not a valid or unique name). Cannot be changed.',
    },
    template: { type: 'string', minLength: 1, maxLength: MAX_TEMPLATE_BYTES, description: `The template, YAML or JSON (at most ${MAX_TEMPLATE_BYTES} bytes). Set this or templateRef.` },
    templateRef: {
      type: 'object',
      description: 'A CloudFormationTemplate of this namespace as the template. Set this or template. A new stack waits until the template exists.',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1, description: 'The CloudFormationTemplate object.' },
        sha256: { type: 'string', description: 'The SHA-256 of the template the stack runs; set by the server. When the named template changes, the next write of the stack updates it.' },
        url: { type: 'string', description: 'Where CloudFormation takes the template from (the server\'s bucket); set by the server.' },
      },
    },
    parameters: { type: 'array', items: parameter, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], description: 'Template parameters; those not given take the template\'s defaults.' },
    capabilities: { type: 'array', items: { type: 'string', enum: CAPABILITIES }, 'x-kubernetes-list-type': 'set', description: 'What the template may do that CloudFormation makes you acknowledge: CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND.' },
    terminationProtection: { type: 'boolean', description: 'When true, CloudFormation refuses to delete the stack (and so does kubectl delete). Default false.' },
  },
};

export const stackStatusSchema: Schema = {
  type: 'object',
  properties: {
    ...stringProperties({
      arn: 'The stack id (an ARN).',
      stackName: 'The stack name in AWS.',
      stackStatus: 'CloudFormation\'s stack status: CREATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE, ...',
      stackStatusReason: 'Why, when CloudFormation says.',
      driftStatus: 'The last drift detection\'s result (DRIFTED, IN_SYNC, NOT_CHECKED), as CloudFormation keeps it.',
      lastChangeSet: 'The change set of the last update made through this server.',
    }),
    parameters: {
      type: 'array',
      description: 'The stack\'s parameters as CloudFormation has them: values read from ConfigMap keys, and the template\'s defaults, included (NoEcho ones masked).',
      items: { type: 'object', properties: stringProperties({ name: 'The template parameter.', value: 'Its value.' }) },
    },
    resources: {
      type: 'array',
      description: 'The stack\'s resources.',
      items: { type: 'object', properties: stringProperties({ logicalId: 'Logical id in the template.', type: 'Resource type.', physicalId: 'Physical id in AWS.', status: 'Resource status.' }) },
    },
  },
};

export const stackOutputSchema: Schema = {
  type: 'object',
  description: 'The stack\'s outputs by key (also in the ConfigMap named like this object).',
  additionalProperties: { type: 'string' },
};
