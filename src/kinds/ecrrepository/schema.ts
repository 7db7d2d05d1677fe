// The ECRRepository spec: the original operator had none (its manifests have no spec); these are the
// repository settings today's peers expose. Descriptions are what `kubectl explain` prints.
import type { Schema } from '../../api/schema.js';
import { outputSchema, policyDocument, stringProperties } from '../common/schemas.js';

export const ecrRepositorySpecSchema: Schema = {
  type: 'object',
  description: 'The desired ECR repository. Every field is optional. GET shows what AWS has. To delete a repository that still holds images, annotate the object with service-operator.aws/force-delete: "true".',
  properties: {
    repositoryName: {
      type: 'string',
      minLength: 2,
      maxLength: 256,
      description:
        'Physical repository name: lowercase letters and digits separated by single ".", "_", "-" or "/". Defaults to "<cluster>/<namespace>/<name>", so namespaces and clusters sharing an account never collide. Cannot be changed.',
    },
    imageTagMutability: { type: 'string', enum: ['MUTABLE', 'IMMUTABLE'], description: 'Whether an image tag can be pushed again (MUTABLE, the default) or not (IMMUTABLE).' },
    scanOnPush: { type: 'boolean', description: 'Scan each image for vulnerabilities when it is pushed. Default false.' },
    encryption: {
      type: 'object',
      description: 'Encryption at rest. Cannot be changed (an ECR rule).',
      properties: {
        type: { type: 'string', enum: ['AES256', 'KMS'], description: 'AES256 (S3-managed keys, the default) or KMS.' },
        kmsKey: { type: 'string', description: 'For KMS: the key\'s ID or ARN. Omitted: the AWS managed key for ECR.' },
      },
    },
    lifecyclePolicy: policyDocument('The lifecycle policy (ECR\'s JSON, with "rules"): which images expire. Omitted: none.'),
    repositoryPolicy: policyDocument('The repository policy: who else may pull or push. Omitted: none.'),
  },
};

export const ecrRepositoryStatusSchema: Schema = {
  type: 'object',
  properties: stringProperties({
    arn: 'The repository ARN.',
    repositoryName: 'The physical repository name.',
    repositoryURI: 'The URI to push and pull: <registry>.dkr.ecr.<region>.amazonaws.com/<name>.',
    registryId: 'The registry (AWS account) ID.',
  }),
};

export const ecrRepositoryOutputSchema = outputSchema({
  repositoryName: 'Physical repository name.',
  repositoryARN: 'Repository ARN.',
  repositoryURL: 'Repository URI, to push and pull images.',
});
