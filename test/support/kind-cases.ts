// Each kind's create as the fault suite breaks it (test/fault/): a spec that takes more than one AWS
// call, the call that makes the resource, one that comes after it, the rollback's call, and how to count
// what AWS holds for an object, to check nothing half made stays behind. ElastiCache and stacks need
// moto's gaps filled (the environment's fillMotoGaps).
import { ListSubscriptionsCommand, SNSClient } from '@aws-sdk/client-sns';
import { bucketNames, cacheClusterIds, parameterNames, queueNames, repositoryNames, serverBucketKeys, stackNames, tableNames, TOPIC_TEMPLATE, topicArns } from './aws.js';
import type { TestEnvironment } from './environment.js';
import { operation, type AwsCall } from './fault-proxy.js';

export interface KindCase {
  plural: string;
  kind: string;
  /** The root field of the desired state, where it is not `spec`. */
  root?: 'data';
  spec(name: string): Record<string, unknown>;
  /** Makes what the spec refers to (in the namespace `default`). */
  prepare?(name: string): Promise<void>;
  /** The call that makes the resource, one that follows it (to fail), and the rollback's call. */
  create: string;
  /** Whether a call is the one that makes the resource (default: any call of `create`). */
  isCreate?: (call: AwsCall) => boolean;
  step: string;
  /** Whether a call (`earlier`: the calls before it) is the step to fail (default: any call of `step`). */
  isStep?: (call: AwsCall, earlier: AwsCall[]) => boolean;
  rollback?: string;
  /** How many AWS resources of the kind exist for the object `name`. */
  inAws(name: string): Promise<number>;
  /** How many a finished create makes (a queue and its own dead-letter queue: 2). */
  made: number;
}

const count = (items: string[], matches: (item: string) => boolean) => items.filter(matches).length;

export const objectsPath = (plural: string) => `/apis/service-operator.aws/v1alpha1/namespaces/default/${plural}`;

/** POSTs an object to the server (its desired state under `root`); the HTTP status. */
export async function createObject(env: TestEnvironment, plural: string, kind: string, name: string, spec: Record<string, unknown>, root = 'spec'): Promise<number> {
  const body = JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind, metadata: { name }, [root]: spec });
  return (await env.request(objectsPath(plural), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })).status;
}

/** A kind case's object, created as the case says. */
export const createCase = (env: TestEnvironment, c: KindCase, name: string): Promise<number> => createObject(env, c.plural, c.kind, name, c.spec(name), c.root);

/** A matcher for a case's step, given the proxy's calls so far. */
export function isStepOf(c: KindCase, calls: () => AwsCall[]): (call: AwsCall) => boolean {
  if (!c.isStep) return operation(c.step);
  const isStep = c.isStep;
  return (call) => isStep(call, calls().slice(0, calls().indexOf(call)));
}

/** The key of an S3 object call (its resource is `<bucket>/<key>`). */
const keyOf = (call: AwsCall): string => call.resource?.slice(call.resource.indexOf('/') + 1) ?? '';

/**
 * Every kind, for objects in namespace `default` of `cluster`; subscriptions go to the SNSTopic `news`,
 * which the test makes. `environment` gives the test's environment once it has started.
 */
export function kindCases(environment: () => TestEnvironment, cluster: string): KindCase[] {
  const aws = () => environment().aws;
  const subscriptionEndpoints = async (): Promise<string[]> => {
    const page = await aws().client(SNSClient).send(new ListSubscriptionsCommand({}));
    return (page.Subscriptions ?? []).map((subscription) => subscription.Endpoint ?? '');
  };
  return [
    {
      plural: 'dynamodbs',
      kind: 'DynamoDB',
      made: 1,
      spec: () => ({ hashAttribute: { name: 'id', type: 'S' }, billingMode: 'PAY_PER_REQUEST', timeToLive: { enabled: true, attributeName: 'expires' } }),
      create: 'CreateTable',
      step: 'UpdateTimeToLive',
      rollback: 'DeleteTable',
      inAws: async (name) => count(await tableNames(aws()), (table) => table === `${cluster}.default.${name}`),
    },
    {
      plural: 's3buckets',
      kind: 'S3Bucket',
      made: 1,
      spec: () => ({ versioning: true }),
      create: 'CreateBucket',
      step: 'PutPublicAccessBlock',
      rollback: 'DeleteBucket',
      inAws: async (name) => count(await bucketNames(aws()), (bucket) => bucket.startsWith(`${cluster}-default-${name}-`)),
    },
    {
      plural: 'sqsqueues',
      kind: 'SQSQueue',
      made: 2,
      spec: () => ({ usedeadletterQueue: true }),
      create: 'CreateQueue',
      step: 'SetQueueAttributes',
      rollback: 'DeleteQueue',
      inAws: async (name) => count(await queueNames(aws()), (queue) => queue === `${cluster}_default_${name}` || queue === `${cluster}_default_${name}-dlq`),
    },
    {
      plural: 'snstopics',
      kind: 'SNSTopic',
      made: 1,
      spec: () => ({ displayName: 'Alerts' }),
      create: 'CreateTopic',
      // One call makes a topic: the step that can fail after it is the store's, the end of the create.
      step: 'UntagResource',
      inAws: async (name) => count(await topicArns(aws()), (arn) => arn.endsWith(`:${cluster}_default_${name}`)),
    },
    {
      plural: 'ecrrepositories',
      kind: 'ECRRepository',
      made: 1,
      spec: () => ({ lifecyclePolicy: { rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } }] } }),
      create: 'CreateRepository',
      step: 'PutLifecyclePolicy',
      rollback: 'DeleteRepository',
      inAws: async (name) => count(await repositoryNames(aws()), (repository) => repository === `${cluster}/default/${name}`),
    },
    {
      plural: 'snssubscriptions',
      kind: 'SNSSubscription',
      made: 2,
      spec: (name) => ({ topicName: 'news', protocol: 'sqs', endpoint: `to-${name}` }),
      prepare: async (name) => expect(await createObject(environment(), 'sqsqueues', 'SQSQueue', `to-${name}`, {})).toBe(201),
      create: 'PutParameter',
      isCreate: (call) => call.operation === 'PutParameter' && call.resource?.startsWith('/service-operator.aws/snssubscriptions/') === true,
      step: 'Subscribe',
      rollback: 'DeleteParameter',
      inAws: async (name) => {
        const parameters = count(await parameterNames(aws()), (parameter) => parameter === `/service-operator.aws/snssubscriptions/${cluster}/default/${name}`);
        return parameters + count(await subscriptionEndpoints(), (endpoint) => endpoint.endsWith(`:${cluster}_default_to-${name}`));
      },
    },
    {
      plural: 'elasticaches',
      kind: 'ElastiCache',
      made: 1,
      spec: () => ({ engine: 'redis', cacheNodeType: 'cache.t3.micro' }),
      create: 'CreateCacheCluster',
      // One call makes a cluster (tags included): the step that can fail after it is the end of the create.
      step: 'RemoveTagsFromResource',
      inAws: async (name) => count(await cacheClusterIds(aws()), (id) => id.startsWith(`${cluster}-default-${name}-`)),
    },
    {
      plural: 'cloudformationtemplates',
      kind: 'CloudFormationTemplate',
      root: 'data',
      made: 1,
      spec: () => ({ template: TOPIC_TEMPLATE, tags: { team: 'fault' } }),
      // The template itself: its document (which makes it ours) is written before it.
      create: 'PutObject',
      isCreate: (call) => call.operation === 'PutObject' && keyOf(call).startsWith('templates/'),
      step: 'PutObjectTagging',
      rollback: 'DeleteObject',
      inAws: async (name) => (await serverBucketKeys(aws(), `templates/default/${name}.yaml`)).length,
    },
    {
      plural: 'cloudformationstacks',
      kind: 'CloudFormationStack',
      made: 1,
      spec: () => ({ template: TOPIC_TEMPLATE }),
      create: 'CreateStack',
      // One call makes a stack: the step after it is its document's rewrite at the end of the create.
      step: 'PutObject',
      isStep: (call, earlier) => {
        if (call.operation !== 'PutObject' || !keyOf(call).startsWith('metadata/stacks/')) return false;
        // The create wrote the document once already, and made the stack since.
        const written = earlier.map((c) => `${c.operation} ${c.resource}`).lastIndexOf(`PutObject ${call.resource}`);
        return written >= 0 && earlier.slice(written + 1).some((c) => c.operation === 'CreateStack');
      },
      inAws: async (name) => count(await stackNames(aws()), (stack) => stack.startsWith(`${cluster}-default-${name}-`)),
    },
  ];
}
