import type { KubeObject } from '../../src/api/types.js';
import { SpecInvalid, type SiblingLookup } from '../../src/registry/kind.js';
import { referableName, resolveReference, siblingName } from '../../src/registry/references.js';
import { identityTags } from '../../src/aws/metadata-tags.js';

const FIELDS = { path: 'spec', nameKey: 'topicName', arnKey: 'topicARN', plural: 'snstopics', kind: 'SNSTopic' };
const topics: Record<string, string> = { orders: 'arn:aws:sns:us-east-1:1:orders', audit: 'arn:aws:sns:us-east-1:1:audit' };
const lookup: SiblingLookup = async (plural, name) => {
  expect(plural).toBe('snstopics');
  return topics[name] ? ({ status: { arn: topics[name] } } as unknown as KubeObject) : undefined;
};
const nameOfArn = async (arn: string) => Object.entries(topics).find(([, a]) => a === arn)?.[0];

async function causes(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SpecInvalid) return error.causes.map((c) => `${c.field}: ${c.type}`);
    throw error;
  }
  throw new Error('resolved where a SpecInvalid was expected');
}

describe('references between objects of a namespace', () => {
  test('a name gets its ARN; an ARN gets the name of the object that owns it; a foreign ARN stays alone', async () => {
    expect(await resolveReference({ topicName: 'orders', protocol: 'sqs' }, undefined, FIELDS, lookup, nameOfArn)).toEqual({ topicName: 'orders', topicARN: topics.orders, protocol: 'sqs' });
    expect(await resolveReference({ topicARN: topics.audit }, undefined, FIELDS, lookup, nameOfArn)).toEqual({ topicName: 'audit', topicARN: topics.audit });
    expect(await resolveReference({ topicARN: 'arn:aws:sns:us-east-1:2:other' }, undefined, FIELDS, lookup, nameOfArn)).toEqual({ topicARN: 'arn:aws:sns:us-east-1:2:other' });
    expect(await resolveReference({ protocol: 'sqs' }, undefined, FIELDS, lookup, nameOfArn)).toEqual({ protocol: 'sqs' });
  });

  test('a missing object is a 422 cause on the name field', async () => {
    expect(await causes(resolveReference({ topicName: 'gone' }, undefined, FIELDS, lookup, nameOfArn))).toEqual(['spec.topicName: FieldValueNotFound']);
  });

  test('when a merge changed one of the two fields, that one wins; both changed and disagreeing is a 422', async () => {
    const current = { topicName: 'orders', topicARN: topics.orders };
    expect(await resolveReference({ topicName: 'audit', topicARN: topics.orders }, current, FIELDS, lookup, nameOfArn)).toEqual({ topicName: 'audit', topicARN: topics.audit });
    expect(await resolveReference({ topicName: 'orders', topicARN: topics.audit }, current, FIELDS, lookup, nameOfArn)).toEqual({ topicName: 'audit', topicARN: topics.audit });
    expect(await causes(resolveReference({ topicName: 'orders', topicARN: topics.audit }, undefined, FIELDS, lookup, nameOfArn))).toEqual(['spec.topicARN: FieldValueInvalid']);
  });

  test('only objects of the same cluster and namespace count as siblings', () => {
    const tags = { 'service-operator.aws/cluster': 'c', 'service-operator.aws/namespace': 'team-a', 'service-operator.aws/name': 'orders' };
    expect(siblingName(tags, { clusterName: 'c', namespace: 'team-a' })).toBe('orders');
    expect(siblingName(tags, { clusterName: 'c', namespace: 'team-b' })).toBeUndefined();
    expect(siblingName(tags, { clusterName: 'other', namespace: 'team-a' })).toBeUndefined();
    expect(siblingName({}, { clusterName: 'c', namespace: 'team-a' })).toBeUndefined();
  });
});

describe('references being written may not name another namespace\'s resources', () => {
  const referrer = { clusterName: 'prod', namespace: 'team-a' };
  const owned = (cluster: string, namespace: string) => identityTags({ cluster, namespace, name: 'alerts' });

  test('own namespace: its object name; unmanaged: nothing to name; another namespace or cluster: refused', () => {
    expect(referableName(owned('prod', 'team-a'), referrer)).toBe('alerts');
    expect(referableName({ team: 'platform' }, referrer)).toBeUndefined();
    expect(() => referableName(owned('prod', 'team-b'), referrer)).toThrow('in namespace team-b');
    expect(() => referableName(owned('staging', 'team-a'), referrer)).toThrow('of cluster staging');
  });

  test('resolveReference turns a foreign target into a 422 on the ARN field', async () => {
    const foreign = async () => referableName(owned('prod', 'team-b'), referrer);
    expect(await causes(resolveReference({ topicARN: 'arn:aws:sns:us-east-1:1:alerts' }, undefined, FIELDS, lookup, foreign))).toEqual(['spec.topicARN: FieldValueForbidden']);
  });
});
