// The canonical specs of the new kinds: the original operator's manifests get every default made
// explicit, and settings that mean the same compare equal.
import * as ecr from '../../src/kinds/ecrrepository/spec.js';
import * as s3 from '../../src/kinds/s3bucket/spec.js';
import * as subscription from '../../src/kinds/snssubscription/spec.js';
import * as topic from '../../src/kinds/snstopic/spec.js';
import * as sqs from '../../src/kinds/sqsqueue/spec.js';

const identity = { clusterName: 'c', namespace: 'ns', name: 'q' };
const fields = (errors: { field: string }[]) => errors.map((e) => e.field);

describe('SNSTopic', () => {
  test('the original operator\'s empty spec means a standard topic', () => {
    expect(topic.canonicalSpec({})).toEqual({ fifoTopic: false, contentBasedDeduplication: false });
    expect(topic.canonicalSpec({ topicName: 'a.fifo', displayName: '' })).toEqual({ topicName: 'a.fifo', fifoTopic: true, contentBasedDeduplication: false });
  });

  test('names follow SNS\'s rules, FIFO names end in .fifo, dedup is for FIFO topics', () => {
    expect(fields(topic.validateSpec(topic.canonicalSpec({ topicName: 'plain', fifoTopic: true })))).toEqual(['spec.topicName']);
    expect(fields(topic.validateSpec(topic.canonicalSpec({ topicName: 'a.fifo', fifoTopic: false })))).toEqual(['spec.topicName']);
    expect(fields(topic.validateSpec(topic.canonicalSpec({ contentBasedDeduplication: true })))).toEqual(['spec.contentBasedDeduplication']);
    expect(topic.validateSpec(topic.canonicalSpec({ topicName: 'Ok_name-1' }))).toEqual([]);
  });

  test('on update an omitted topic name keeps the one AWS has', () => {
    expect(topic.canonicalSpec({}, topic.canonicalSpec({ topicName: 'c_ns_t' })).topicName).toBe('c_ns_t');
  });
});

describe('SQSQueue', () => {
  const original = { contentBasedDeduplication: true, delaySeconds: 5, usedeadletterQueue: false, maximumMessageSize: 262144, messageRetentionPeriod: 345600, visibilityTimeout: 30 };

  test('the original operator\'s manifest: AWS defaults filled in, deduplication dropped on a standard queue', () => {
    expect(sqs.canonicalSpec(original)).toEqual({
      fifoQueue: false,
      delaySeconds: 5,
      maximumMessageSize: 262144,
      messageRetentionPeriod: 345600,
      receiveMessageWaitTimeSeconds: 0,
      visibilityTimeout: 30,
      usedeadletterQueue: false,
      encryption: { type: 'SQS' },
    });
  });

  test('usedeadletterQueue redrives after 5 receives; a leftover maxReceiveCount without a target means no redrive', () => {
    expect(sqs.canonicalSpec({ usedeadletterQueue: true }).deadLetterQueue).toEqual({ maxReceiveCount: 5 });
    expect(sqs.canonicalSpec({ usedeadletterQueue: false, deadLetterQueue: { maxReceiveCount: 5 } }).deadLetterQueue).toBeUndefined();
    expect(sqs.canonicalSpec({ deadLetterQueue: { name: 'dlq' } }).deadLetterQueue).toEqual({ name: 'dlq', maxReceiveCount: 5 });
  });

  test('FIFO settings appear with FIFO queues only', () => {
    expect(sqs.canonicalSpec({ queueName: 'q.fifo' })).toMatchObject({ fifoQueue: true, contentBasedDeduplication: false, deduplicationScope: 'queue', fifoThroughputLimit: 'perQueue' });
  });

  test('naming, dead-letter and encryption rules', () => {
    const errors = (spec: Record<string, unknown>) => fields(sqs.validateSpec(sqs.canonicalSpec(spec), identity));
    expect(errors({ queueName: 'has.dot' })).toEqual(['spec.queueName']);
    expect(errors({ queueName: 'plain', fifoQueue: true })).toEqual(['spec.queueName']);
    expect(errors({ usedeadletterQueue: true, deadLetterQueue: { name: 'x' } })).toEqual(['spec.deadLetterQueue']);
    expect(errors({ deadLetterQueue: { name: 'q' } })).toEqual(['spec.deadLetterQueue.name']);
    expect(errors({ encryption: { type: 'SQS', kmsKeyId: 'k' } })).toEqual(['spec.encryption.kmsKeyId']);
    expect(errors({ encryption: { type: 'KMS' } })).toEqual(['spec.encryption.kmsKeyId']);
    expect(errors(original)).toEqual([]);
  });
});

describe('SNSSubscription', () => {
  test('the original operator\'s fields are kept, its ignored queueURL is dropped, defaults are explicit', () => {
    const spec = subscription.canonicalSpec({ topicName: 't', protocol: 'sqs', endpoint: 'q', queueURL: 'ignored' });
    expect(spec).toEqual({ topicName: 't', protocol: 'sqs', endpoint: 'q', rawMessageDelivery: false });
  });

  test('a filter policy gets its default scope; the server\'s queueARN means nothing for other protocols', () => {
    expect(subscription.canonicalSpec({ topicARN: 'arn:t', protocol: 'sqs', endpoint: 'q', filterPolicy: { a: ['b'] } })).toMatchObject({ filterPolicyScope: 'MessageAttributes' });
    expect(subscription.canonicalSpec({ topicARN: 'arn:t', protocol: 'email', endpoint: 'a@b', queueARN: 'arn:q' })).not.toHaveProperty('queueARN');
    expect(subscription.canonicalSpec({ topicARN: 'arn:t', protocol: 'sqs', endpoint: 'q', filterPolicyScope: 'MessageBody' })).not.toHaveProperty('filterPolicyScope');
  });

  test('a topic is required, raw delivery only where SNS has it', () => {
    const errors = (spec: Record<string, unknown>) => fields(subscription.validateSpec(subscription.canonicalSpec(spec)));
    expect(errors({ protocol: 'email', endpoint: 'a@b' })).toEqual(['spec.topicName']);
    expect(errors({ topicName: 't', protocol: 'email', endpoint: 'a@b', rawMessageDelivery: true })).toEqual(['spec.rawMessageDelivery']);
    expect(errors({ topicName: 't', protocol: 'firehose', endpoint: 'arn:f' })).toEqual(['spec.subscriptionRoleArn']);
  });
});

describe('ECRRepository', () => {
  test('no spec (the original operator\'s manifest) means AWS\'s defaults, explicit', () => {
    expect(ecr.canonicalSpec({})).toEqual({ imageTagMutability: 'MUTABLE', scanOnPush: false, encryption: { type: 'AES256' } });
  });

  test('on update an omitted KMS key keeps the one AWS has', () => {
    expect(ecr.canonicalSpec({ encryption: { type: 'KMS' } }, ecr.canonicalSpec({ encryption: { type: 'KMS', kmsKey: 'arn:k' } })).encryption).toEqual({ type: 'KMS', kmsKey: 'arn:k' });
  });

  test('names follow ECR\'s rules', () => {
    for (const good of ['ab', 'team/app', 'a.b_c-d/e']) expect(ecr.validateSpec(ecr.canonicalSpec({ repositoryName: good }))).toEqual([]);
    for (const bad of ['A', 'Upper', 'a--b', 'a/', '/a', 'a__b']) expect(fields(ecr.validateSpec(ecr.canonicalSpec({ repositoryName: bad })))).toEqual(['spec.repositoryName']);
  });
});

describe('S3Bucket', () => {
  const original = { versioning: true, accessControl: 'PublicRead', website: { enabled: true, indexPage: 'index.html', errorPage: '500.html' }, logging: { enabled: false, prefix: 'archive' } };

  test('the original operator\'s public website: ACLs enabled, public ACLs and the website policy unblocked', () => {
    expect(s3.canonicalSpec(original)).toEqual({
      versioning: true,
      accessControl: 'PublicRead',
      website: { enabled: true, indexPage: 'index.html', errorPage: '500.html', publicRead: true },
      logging: { enabled: false },
      encryption: { type: 'AES256', bucketKeyEnabled: false },
      publicAccessBlock: { blockPublicAcls: false, ignorePublicAcls: false, blockPublicPolicy: false, restrictPublicBuckets: false },
      ownership: 'ObjectWriter',
    });
  });

  test('an empty spec is private with everything blocked and ACLs disabled', () => {
    expect(s3.canonicalSpec({})).toMatchObject({
      accessControl: 'Private',
      publicAccessBlock: { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true },
      ownership: 'BucketOwnerEnforced',
    });
  });

  test('owner-only canned ACLs are Private on a bucket; logging to the bucket itself needs no target', () => {
    expect(s3.canonicalSpec({ accessControl: 'BucketOwnerFullControl' }).accessControl).toBe('Private');
    expect(s3.canonicalSpec({ bucketName: 'b-1', logging: { enabled: true, targetBucket: 'b-1' } }).logging).toEqual({ enabled: true, prefix: '' });
  });

  test('bucket names follow S3\'s rules', () => {
    expect(s3.bucketNameProblem('my-bucket.1')).toBeUndefined();
    for (const bad of ['ab', 'Upper', '-start', 'end-', 'a..b', '10.0.0.1', 'xn--a', 'sthree-a', 'a-s3alias', 'a--ol-s3', 'x'.repeat(64)]) {
      expect([bad, s3.bucketNameProblem(bad)]).toEqual([bad, expect.any(String)]);
    }
  });

  test('ACLs need ACLs enabled; lifecycle rules need an action and unique ids', () => {
    const errors = (spec: Record<string, unknown>) => fields(s3.validateSpec(s3.canonicalSpec(spec)));
    expect(errors({ accessControl: 'PublicRead', ownership: 'BucketOwnerEnforced' })).toEqual(['spec.accessControl']);
    expect(errors({ lifecycleRules: [{ id: 'a', expirationDays: 1 }, { id: 'a' }] })).toEqual(['spec.lifecycleRules[1].id', 'spec.lifecycleRules[1]']);
  });
});
