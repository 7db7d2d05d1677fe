import { defaultMessagingName, defaultPhysicalName, inDefaultNameSpace } from '../../src/aws/naming.js';
import ecrRepository from '../../src/kinds/ecrrepository/index.js';
import s3Bucket from '../../src/kinds/s3bucket/index.js';
import { parameterNameOfArn } from '../../src/aws/parameters.js';
import { PARAMETER_PREFIX, parameterName } from '../../src/kinds/snssubscription/parameter.js';
import { ownDeadLetterQueueName } from '../../src/kinds/sqsqueue/aws.js';
import * as s3 from '../../src/kinds/s3bucket/spec.js';

const identity = { clusterName: 'prod', namespace: 'team-a', name: 'orders' };

describe('default physical names', () => {
  test('SNS and SQS: "_" joins the parts, FIFO names end in .fifo, long ones end in a hash', () => {
    expect(defaultMessagingName(identity, 80, false)).toBe('prod_team-a_orders');
    expect(defaultMessagingName(identity, 80, true)).toBe('prod_team-a_orders.fifo');
    const long = defaultMessagingName({ ...identity, name: 'x'.repeat(100) }, 80, true);
    expect(long).toHaveLength(80);
    expect(long).toMatch(/-[0-9a-f]{8}\.fifo$/);
  });

  test('a name whose characters had to be mapped ends in a hash, so "a.b" and "a-b" never meet', () => {
    const dotted = defaultMessagingName({ ...identity, name: 'a.b' }, 80, false);
    const dashed = defaultMessagingName({ ...identity, name: 'a-b' }, 80, false);
    expect(dashed).toBe('prod_team-a_a-b');
    expect(dotted).toMatch(/^prod_team-a_a-b-[0-9a-f]{8}$/);
    expect(defaultPhysicalName(identity, { separator: '.', maxLength: 255 })).toBe('prod.team-a.orders');
  });

  test('ECR: "/" joins the parts; S3: always a hash (bucket names are global), within 63 characters', () => {
    expect(ecrRepository.aws.physicalName(identity)).toBe('prod/team-a/orders');
    expect(ecrRepository.aws.physicalName({ ...identity, name: 'a--b' })).toMatch(/^prod\/team-a\/a-b-[0-9a-f]{8}$/);
    expect(s3Bucket.aws.physicalName(identity)).toMatch(/^prod-team-a-orders-[0-9a-f]{8}$/);
    expect(s3Bucket.aws.physicalName({ ...identity, name: 'y'.repeat(250) })).toHaveLength(63);
    expect(s3Bucket.aws.physicalName(identity, s3.canonicalSpec({ bucketName: 'mine' }))).toBe('mine');
  });

  test('explicit names in the shapes default names take: joined with the separator, or ending in a hash', () => {
    const s3 = s3Bucket.aws.explicitName?.rules ?? { separator: '' };
    expect(inDefaultNameSpace(s3Bucket.aws.physicalName(identity), 'prod', s3)).toBe(true);
    expect(inDefaultNameSpace('prod-assets', 'prod', s3)).toBe(false);
    expect(inDefaultNameSpace('staging-team-a-orders-0123abcd', 'prod', s3)).toBe(false);
    const ecr = ecrRepository.aws.explicitName?.rules ?? { separator: '' };
    expect(inDefaultNameSpace('prod/team-b/api', 'prod', ecr)).toBe(true);
    expect(inDefaultNameSpace('prod/api', 'prod', ecr)).toBe(false);
    expect(inDefaultNameSpace('platform/api', 'prod', ecr)).toBe(false);
  });

  test('a dead-letter queue of its own is "<queue>-dlq", FIFO ones keep the suffix, within 80 characters', () => {
    expect(ownDeadLetterQueueName('q')).toBe('q-dlq');
    expect(ownDeadLetterQueueName('q.fifo')).toBe('q-dlq.fifo');
    expect(ownDeadLetterQueueName(`${'x'.repeat(75)}.fifo`)).toHaveLength(80);
  });

  test('an SNS subscription\'s metadata parameter is named after the object, and found again from its ARN', () => {
    const name = parameterName({ clusterName: 'prod', namespace: 'team-a', name: 'sub' });
    expect(name).toBe('/service-operator.aws/snssubscriptions/prod/team-a/sub');
    expect(parameterNameOfArn(`arn:aws:ssm:us-east-1:1:parameter${name}`, PARAMETER_PREFIX)).toBe(name);
    expect(parameterNameOfArn('arn:aws:ssm:us-east-1:1:parameter/something/else', PARAMETER_PREFIX)).toBeUndefined();
  });
});
