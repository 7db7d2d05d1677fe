// ECRRepository: an ECR repository. The original operator's manifests (no spec) apply unchanged; its
// outputs (repositoryName, repositoryARN, repositoryURL) are in `output` and the ConfigMap.
import type { KindDefinition } from '../../registry/kind.js';
import { ecrRepositoryAws } from './aws.js';
import { ecrRepositoryOutputSchema, ecrRepositorySpecSchema, ecrRepositoryStatusSchema } from './schema.js';
import { canonicalSpec, validateSpec, type ECRRepositorySpec } from './spec.js';

const ecrRepository: KindDefinition<ECRRepositorySpec> = {
  names: { kind: 'ECRRepository', plural: 'ecrrepositories', singular: 'ecrrepository', shortNames: ['ecr', 'repository'] },
  description: 'An ECR repository in the AWS account. Creating, changing or deleting this object does the same to the repository before the call returns.',
  specSchema: ecrRepositorySpecSchema,
  statusSchema: ecrRepositoryStatusSchema,
  outputSchema: ecrRepositoryOutputSchema,
  columns: [
    { name: 'Repository', type: 'string', description: 'Physical repository name.', jsonPath: '.status.repositoryName', priority: 0 },
    { name: 'URI', type: 'string', description: 'URI to push and pull.', jsonPath: '.status.repositoryURI', priority: 0 },
    { name: 'Tags', type: 'string', description: 'Image tag mutability.', jsonPath: '.spec.imageTagMutability', priority: 1 },
    { name: 'Scan', type: 'boolean', description: 'Scan on push.', jsonPath: '.spec.scanOnPush', priority: 1 },
    { name: 'ARN', type: 'string', description: 'Repository ARN.', jsonPath: '.status.arn', priority: 1 },
  ],
  immutableFields: ['repositoryName', 'encryption'],
  tagLimit: 50,
  awsErrorCodes: { notFound: ['RepositoryNotFoundException'], inUse: ['RepositoryAlreadyExistsException', 'RepositoryNotEmptyException'], invalid: ['LifecyclePolicyValidationException'] },
  canonicalSpec,
  validate: validateSpec,
  changeEventServices: ['ecr'],
  aws: ecrRepositoryAws,
};

export default ecrRepository;
