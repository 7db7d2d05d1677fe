import {
  CLUSTER_TAG,
  decodeMetadataTags,
  diffTags,
  encodeMetadataTags,
  MetadataTooLargeError,
  readIdentity,
  readMetadataTags,
  userTagLimit,
  userTags,
  type StoredMetadata,
} from '../../src/aws/metadata-tags.js';

const owner = { cluster: 'prod', namespace: 'team-a', name: 'orders' };
const AWS_TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function lastApplied(size: number): string {
  return JSON.stringify({ apiVersion: 'service-operator.aws/v1alpha1', kind: 'DynamoDB', spec: { note: 'x'.repeat(size) } });
}

describe('metadata in AWS tags', () => {
  const meta: StoredMetadata = {
    uid: '6f1c2a5e-0000-4000-8000-000000000001',
    creationTimestamp: '2026-11-24T10:00:00Z',
    generation: 3,
    labels: { app: 'orders', 'team.example.com/owner': 'a' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(600) },
    finalizers: ['example.com/keep'],
    ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'c', uid: 'u' }],
  };

  test('round-trips every field, including an annotation longer than one tag value', () => {
    const tags = encodeMetadataTags(owner, meta, 50, 0);
    expect(decodeMetadataTags(tags)).toEqual(meta);
    expect(readIdentity(tags)).toEqual(owner);
  });

  test('every key and value fits AWS tag rules', () => {
    const tags = encodeMetadataTags(owner, { ...meta, annotations: { big: lastApplied(4000) } }, 50, 0);
    for (const [key, value] of Object.entries(tags)) {
      expect(key.length).toBeLessThanOrEqual(128);
      expect(value.length).toBeLessThanOrEqual(256);
      expect(AWS_TAG_CHARACTERS.test(key)).toBe(true);
      expect(AWS_TAG_CHARACTERS.test(value)).toBe(true);
    }
    expect(Object.keys(tags).length).toBeGreaterThan(4);
  });

  test('leaves the user 40 of 50 tags and refuses metadata that does not fit what is left', () => {
    expect(userTagLimit(50)).toBe(40);
    const random = Array.from({ length: 3000 }, (_, i) => ((i * 7919) % 9973).toString(36)).join('');
    const tooBig = { ...meta, annotations: { blob: random } };
    expect(() => encodeMetadataTags(owner, tooBig, 50, 40)).toThrow(MetadataTooLargeError);
    expect(() => encodeMetadataTags(owner, tooBig, 50, 0)).not.toThrow();
  });

  test('unreadable or missing metadata decodes as undefined, not as garbage', () => {
    expect(decodeMetadataTags({ [CLUSTER_TAG]: 'prod' })).toBeUndefined();
    expect(decodeMetadataTags({ 'service-operator.aws/meta': 'not-base64-deflate!' })).toBeUndefined();
  });

  test('metadata that decodes but has the wrong types is unreadable, saying what is wrong', () => {
    const mistyped = (fields: Record<string, unknown>) => readMetadataTags(encodeMetadataTags(owner, { ...meta, ...fields }, 50, 0));
    expect(mistyped({ finalizers: 5 })).toEqual({ state: 'unreadable', reason: 'finalizers is not a list of strings' });
    expect(mistyped({ labels: { app: 1 } })).toEqual({ state: 'unreadable', reason: 'labels[app] is not a string' });
    expect(mistyped({ ownerReferences: 'x' })).toMatchObject({ state: 'unreadable', reason: expect.stringContaining('metadata.ownerReferences') });
    expect(mistyped({ managedFields: [{ fieldsV1: 1 }] })).toMatchObject({ state: 'unreadable', reason: expect.stringContaining('fieldsV1') });
    expect(mistyped({ generation: 0 })).toEqual({ state: 'unreadable', reason: 'generation is not a positive integer' });
    expect(mistyped({ uid: '' })).toEqual({ state: 'unreadable', reason: 'uid is missing' });
    expect(readMetadataTags({ 'service-operator.aws/meta': 'not-base64-deflate!' })).toMatchObject({ state: 'unreadable' });
    expect(readMetadataTags({ [CLUSTER_TAG]: 'prod' })).toEqual({ state: 'absent' });
    expect(readMetadataTags(encodeMetadataTags(owner, meta, 50, 0))).toEqual({ state: 'readable', meta });
  });

  test('a malformed readySince (it only says since when the object is Ready) is dropped, the rest read', () => {
    const withReady = (readySince: unknown) => readMetadataTags(encodeMetadataTags(owner, { ...meta, readySince } as StoredMetadata, 50, 0));
    for (const readySince of ['x', { status: 'Maybe', time: 't' }, { status: 'True', time: 5 }, []]) expect(withReady(readySince)).toEqual({ state: 'readable', meta });
    const kept = { status: 'True', time: '2026-01-01T00:00:00Z' };
    expect(withReady(kept)).toEqual({ state: 'readable', meta: { ...meta, readySince: kept } });
  });

  test('user tags exclude ours and AWS system tags; diffs never remove aws: tags', () => {
    const current = { 'service-operator.aws/cluster': 'prod', 'aws:cloudformation:stack-name': 's', env: 'dev', old: 'x' };
    expect(userTags(current)).toEqual({ env: 'dev', old: 'x' });
    expect(diffTags(current, { 'service-operator.aws/cluster': 'prod', env: 'prod' })).toEqual({ set: { env: 'prod' }, remove: ['old'] });
  });
});
