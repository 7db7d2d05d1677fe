// Reading the Kubernetes protobuf envelope kubectl's typed clients send (auth can-i, auth whoami).
import { decodeKubernetesProtobuf } from '../../src/api/protobuf.js';
import { StatusError } from '../../src/api/errors.js';

/** A length-delimited field (wire type 2); lengths here stay below 128, so one byte each. */
function field(number: number, value: Buffer | string): Buffer {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value);
  return Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
}

const SCHEMA = { 2: ['spec', { 1: ['resourceAttributes', { 1: 'namespace', 2: 'verb', 5: 'resource' }] }] } as const;

function envelope(raw: Buffer): Buffer {
  const typeMeta = Buffer.concat([field(1, 'authorization.k8s.io/v1'), field(2, 'SelfSubjectAccessReview')]);
  return Buffer.concat([Buffer.from('k8s\0'), field(1, typeMeta), field(2, raw), field(4, 'application/vnd.kubernetes.protobuf')]);
}

test('the envelope, its type and the named fields of the object, skipping the others', () => {
  const attributes = Buffer.concat([field(1, 'team-a'), field(2, 'create'), field(3, 'service-operator.aws'), field(5, 'dynamodbs')]);
  const varintField = Buffer.from([(9 << 3) | 0, 0x96, 0x01]); // field 9, varint 150: skipped
  const raw = Buffer.concat([field(1, Buffer.alloc(0)), field(2, Buffer.concat([field(1, attributes), varintField]))]);
  expect(decodeKubernetesProtobuf(envelope(raw), SCHEMA as never)).toEqual({
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: { namespace: 'team-a', verb: 'create', resource: 'dynamodbs' } },
  });
});

test('bodies that are not the envelope, or are cut short, are 400s', () => {
  const expect400 = (body: Buffer) => {
    try {
      decodeKubernetesProtobuf(body, SCHEMA as never);
      throw new Error('decoded');
    } catch (error) {
      expect(error).toBeInstanceOf(StatusError);
      expect((error as StatusError).code).toBe(400);
    }
  };
  expect400(Buffer.from('{"kind":"SelfSubjectAccessReview"}'));
  expect400(Buffer.concat([Buffer.from('k8s\0'), Buffer.from([(2 << 3) | 2, 50, 1, 2])]));
  expect400(Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x80])]));
});
