// The CloudFormationTemplate's `data` (the original operator's root field, in place of `spec`): the
// template's key and text. Descriptions are what `kubectl explain` prints.
import type { Schema } from '../../api/schema.js';
import { outputSchema, stringProperties } from '../common/schemas.js';

/** CloudFormation's limit for a template given in the request (ValidateTemplate, CreateStack). */
export const MAX_TEMPLATE_BYTES = 51_200;

export const templateSpecSchema: Schema = {
  type: 'object',
  description: 'The template. Stored in the S3 bucket the server keeps per cluster (private), under the namespace.',
  required: ['template'],
  properties: {
    key: {
      type: 'string',
      minLength: 1,
      maxLength: 512,
      description: 'The template\'s key (file name) within the namespace, e.g. "queue.yaml". Defaults to "<name>.yaml". Cannot be changed.',
    },
    template: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_TEMPLATE_BYTES,
      description: `A CloudFormation template, YAML or JSON, at most ${MAX_TEMPLATE_BYTES} bytes. Checked with CloudFormation's ValidateTemplate before it is stored.`,
    },
  },
};

export const templateStatusSchema: Schema = {
  type: 'object',
  properties: stringProperties({
    arn: 'The ARN of the S3 object holding the template.',
    bucketName: 'The server\'s bucket.',
    objectKey: 'The S3 key: templates/<namespace>/<key>.',
    url: 'The template\'s URL (the bucket is private: readable with AWS credentials allowed to read it).',
    lastModified: 'When the template was last stored.',
  }),
};

export const templateOutputSchema = outputSchema({ url: 'The template\'s URL, as the original operator had it.' });
