// CloudFormationTemplate: a CloudFormation template the server keeps (the original operator's
// `data.key`, `data.template`, `output.url`), validated by CloudFormation before it is stored, in the
// private S3 bucket the server owns per cluster (never public-read, as the original's was).
// CloudFormationStack objects of the namespace can name it as their template.
import type { KindDefinition } from '../../registry/kind.js';
import { templateAws, validateTemplate } from './aws.js';
import { templateOutputSchema, templateSpecSchema, templateStatusSchema } from './schema.js';
import { canonicalSpec, validateSpec, type TemplateSpec } from './spec.js';

const cloudFormationTemplate: KindDefinition<TemplateSpec> = {
  names: { kind: 'CloudFormationTemplate', plural: 'cloudformationtemplates', singular: 'cloudformationtemplate', shortNames: ['cft', 'cfts', 'cfn', 'cfns', 'cloudformation'] },
  description: 'A CloudFormation template, validated by CloudFormation and kept in the S3 bucket the server owns per cluster (private). CloudFormationStack objects of the namespace can use it.',
  specField: 'data',
  specSchema: templateSpecSchema,
  statusSchema: templateStatusSchema,
  outputSchema: templateOutputSchema,
  columns: [
    { name: 'Key', type: 'string', description: 'The template\'s key.', jsonPath: '.data.key', priority: 0 },
    { name: 'Status', type: 'string', description: 'UPLOAD_COMPLETE, UPDATE_COMPLETE (the original operator\'s words).', jsonPath: '.status.resourceStatus', priority: 0 },
    { name: 'URL', type: 'string', description: 'The template\'s URL.', jsonPath: '.output.url', priority: 1 },
  ],
  immutableFields: ['key'],
  // The server's tags live in a document beside the template, without AWS's limit; S3 objects take 10 of the user's.
  tagLimit: 1000,
  userTagLimit: 10,
  notAdoptable: "a template lives in the server's own private bucket, so there is no existing one in the account to take over: create the object instead",
  awsErrorCodes: { notFound: ['NoSuchKey'] },
  canonicalSpec,
  validate: validateSpec,
  verify: (ctx, spec) => validateTemplate(ctx, spec.template, 'data.template'),
  changeEventServices: ['s3'],
  aws: templateAws,
};

export default cloudFormationTemplate;
