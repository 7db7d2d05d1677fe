import { mapAwsError } from '../../src/aws/errors.js';
import { defaultPhysicalName } from '../../src/aws/naming.js';

const subject = { kind: 'DynamoDB', plural: 'dynamodbs', name: 'orders' };
const sdkError = (name: string, status: number, fault: 'client' | 'server' = 'client') => Object.assign(new Error(`${name} happened`), { name, $fault: fault, $metadata: { httpStatusCode: status } });

describe('AWS errors become Statuses', () => {
  test.each([
    ['ResourceNotFoundException', 400, 404, 'NotFound'],
    ['ResourceInUseException', 400, 409, 'Conflict'],
    ['ValidationException', 400, 422, 'Invalid'],
    ['ThrottlingException', 400, 429, 'TooManyRequests'],
    ['AccessDeniedException', 400, 403, 'Forbidden'],
    ['InternalServerError', 500, 503, 'ServiceUnavailable'],
    ['SomethingNew', 400, 500, 'InternalError'],
  ])('%s → %i', (name, status, code, reason) => {
    const mapped = mapAwsError(sdkError(name, status, status >= 500 ? 'server' : 'client'), subject);
    expect([mapped.code, mapped.reason]).toEqual([code, reason]);
    expect(mapped.toStatus().message).not.toContain('    at ');
  });

  test('throttling says when to retry; an unreachable endpoint is 503', () => {
    expect(mapAwsError(sdkError('ThrottlingException', 400), subject).details?.retryAfterSeconds).toBeGreaterThan(0);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(mapAwsError(refused, subject).code).toBe(503);
  });
});

describe('throttling, timeouts and unreachable AWS', () => {
  test.each(['RequestThrottled', 'Throttling', 'SlowDown', 'TooManyRequestsException', 'ProvisionedThroughputExceededException', 'BandwidthLimitExceeded'])('%s → 429 with Retry-After', (name) => {
    const mapped = mapAwsError(sdkError(name, 400), subject);
    expect([mapped.code, mapped.reason]).toEqual([429, 'TooManyRequests']);
    expect(mapped.details?.retryAfterSeconds).toBeGreaterThan(0);
  });

  test('an error the protocol marked as throttling is 429 whatever its name; so is HTTP 429', () => {
    expect(mapAwsError(Object.assign(sdkError('Unknown', 400), { $retryable: { throttling: true } }), subject).code).toBe(429);
    expect(mapAwsError(sdkError('UnknownError', 429), subject).code).toBe(429);
  });

  test('timeouts and resets are 503; the request deadline passing is 504 Timeout', () => {
    expect(mapAwsError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), subject).code).toBe(503);
    expect(mapAwsError(Object.assign(new Error('timed out'), { name: 'TimeoutError' }), subject).code).toBe(503);
    const aborted = mapAwsError(Object.assign(new Error('Request aborted'), { name: 'AbortError' }), subject);
    expect([aborted.code, aborted.reason]).toEqual([504, 'Timeout']);
    expect(aborted.details?.retryAfterSeconds).toBeGreaterThan(0);
  });
});

describe('default physical names', () => {
  const rules = { separator: '.', maxLength: 40 };
  test('join cluster, namespace and name, so neighbours never collide', () => {
    expect(defaultPhysicalName({ clusterName: 'c', namespace: 'a-b', name: 'c' }, rules)).toBe('c.a-b.c');
    expect(defaultPhysicalName({ clusterName: 'c', namespace: 'a', name: 'b-c' }, rules)).toBe('c.a.b-c');
  });
  test('too long: cut and ended with a hash of the whole identity', () => {
    const long = defaultPhysicalName({ clusterName: 'c', namespace: 'ns', name: 'x'.repeat(60) }, rules);
    const other = defaultPhysicalName({ clusterName: 'c', namespace: 'ns', name: `${'x'.repeat(59)}y` }, rules);
    expect(long).toHaveLength(40);
    expect(long).not.toBe(other);
  });
});
