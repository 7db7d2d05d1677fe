// Reading CloudTrail's API call events as EventBridge delivers them to SQS, and the forms an
// identifier takes in different calls (names, ARNs, URLs), which is how events find objects.
import { identifierForms, mayIntroduce, parseChangeEvent } from '../../src/aws/change-events/cloudtrail.js';
import { eventPattern } from '../../src/aws/change-events/queue.js';

const envelope = (detail: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ version: '0', id: 'e-1', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.dynamodb', time: '2026-12-01T10:00:00Z', resources: [], detail, ...extra });

test('an API call event gives its service, call, time and every identifier it names', () => {
  const event = parseChangeEvent(
    envelope({
      eventSource: 'dynamodb.amazonaws.com',
      eventName: 'UpdateTable',
      eventTime: '2026-12-01T09:59:58Z',
      readOnly: false,
      requestParameters: { tableName: 'orders', provisionedThroughput: { readCapacityUnits: 7 } },
      responseElements: { tableDescription: { tableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders' } },
    }),
  );
  expect(event).toEqual({ id: 'e-1', source: 'dynamodb.amazonaws.com', name: 'UpdateTable', time: Date.parse('2026-12-01T09:59:58Z'), identifiers: ['orders', 'arn:aws:dynamodb:us-east-1:123456789012:table/orders'] });
});

test.each([
  ['not JSON', 'hello'],
  ['another detail type', JSON.stringify({ 'detail-type': 'EC2 Instance State-change Notification', detail: { eventSource: 'ec2.amazonaws.com', eventName: 'x' } })],
  ['a read-only call', envelope({ eventSource: 'dynamodb.amazonaws.com', eventName: 'DescribeTable', readOnly: true })],
  ['a call that failed', envelope({ eventSource: 'dynamodb.amazonaws.com', eventName: 'UpdateTable', errorCode: 'AccessDenied' })],
  ['no event source', envelope({ eventName: 'UpdateTable' })],
  ['a detail that is not an object', envelope('x' as unknown as Record<string, unknown>)],
])('%s is not a change event', (_what, body) => {
  expect(parseChangeEvent(body)).toBeUndefined();
});

test('identifiers are bounded: a huge or deep event cannot make the server read without end', () => {
  const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, `v${i}`]));
  let deep: unknown = 'bottom';
  for (let i = 0; i < 50; i++) deep = { deeper: deep };
  const event = parseChangeEvent(envelope({ eventSource: 's3.amazonaws.com', eventName: 'PutBucketTagging', requestParameters: { many, deep, long: 'x'.repeat(5000) } }));
  expect(event?.identifiers.length).toBeLessThanOrEqual(100);
  expect(event?.identifiers).not.toContain('bottom');
  expect(event?.identifiers.some((i) => i.length > 2048)).toBe(false);
});

test.each([
  ['orders', ['orders']],
  ['arn:aws:dynamodb:us-east-1:123456789012:table/orders', ['arn:aws:dynamodb:us-east-1:123456789012:table/orders', 'table/orders', 'orders']],
  ['arn:aws:sns:us-east-1:123456789012:alerts', ['arn:aws:sns:us-east-1:123456789012:alerts', 'alerts']],
  ['arn:aws:ecr:us-east-1:123456789012:repository/team/app', ['arn:aws:ecr:us-east-1:123456789012:repository/team/app', 'repository/team/app', 'team/app', 'app']],
  ['https://sqs.us-east-1.amazonaws.com/123456789012/jobs', ['https://sqs.us-east-1.amazonaws.com/123456789012/jobs', 'jobs']],
  ['http://127.0.0.1:5000/123456789012/jobs', ['http://127.0.0.1:5000/123456789012/jobs', 'jobs']],
])('the forms of %s', (identifier, forms) => {
  expect(identifierForms(identifier)).toEqual(forms);
});

test('a queue named in AWS\'s URL form and in moto\'s share a form, as do a table name and its ARN', () => {
  const shared = (a: string, b: string) => identifierForms(a).some((form) => identifierForms(b).includes(form));
  expect(shared('https://sqs.us-east-1.amazonaws.com/123456789012/jobs', 'http://127.0.0.1:5000/123456789012/jobs')).toBe(true);
  expect(shared('orders', 'arn:aws:dynamodb:us-east-1:123456789012:table/orders')).toBe(true);
  expect(shared('orders', 'arn:aws:dynamodb:us-east-1:123456789012:table/invoices')).toBe(false);
});

test('calls that can introduce a resource the server does not know yet', () => {
  expect(['CreateTable', 'TagResource', 'UntagQueue', 'PutBucketTagging', 'AddTagsToResource', 'Subscribe', 'PutParameter'].filter(mayIntroduce)).toHaveLength(7);
  expect(['UpdateTable', 'DeleteQueue', 'SetTopicAttributes'].filter(mayIntroduce)).toEqual([]);
});

test('the rule matches the CloudTrail API call events of the kinds\' services, each once', () => {
  expect(JSON.parse(eventPattern(['sqs', 'dynamodb', 'sqs']))).toEqual({ 'detail-type': ['AWS API Call via CloudTrail'], source: ['aws.dynamodb', 'aws.sqs'] });
});
