import type { KubeObject } from '../../src/api/types.js';
import { SpecInvalid, type LinkedResource, type SiblingLookup } from '../../src/registry/kind.js';
import { resolveReference, siblingName } from '../../src/registry/references.js';
import { linkRefusal, reservedNameErrors } from '../../src/registry/store-support.js';
import { identityTags, partTags } from '../../src/aws/metadata-tags.js';
import sqsQueue from '../../src/kinds/sqsqueue/index.js';

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

describe('linked resources: a part nobody else holds, a target of this namespace or unmanaged', () => {
  const referrer = { cluster: 'prod', namespace: 'team-a', name: 'orders' };
  const owned = (cluster: string, namespace: string, name = 'alerts') => identityTags({ cluster, namespace, name });
  const target: LinkedResource = { use: 'target', field: 'spec.topicARN', kind: 'SNSTopic', name: 'arn:aws:sns:us-east-1:1:alerts', tags: async () => undefined };
  const part: LinkedResource = { use: 'part', field: 'spec.usedeadletterQueue', kind: 'SQSQueue', name: 'orders-dlq', role: 'dead-letter-queue', tags: async () => undefined };
  const refusal = (link: LinkedResource, tags: Record<string, string> | undefined) => linkRefusal(sqsQueue, referrer, link, tags);

  test('a target of the same namespace, unmanaged, or not there is fine; another namespace or cluster is a 422 on its field', () => {
    expect(refusal(target, owned('prod', 'team-a'))).toBeUndefined();
    expect(refusal(target, { team: 'platform' })).toBeUndefined();
    expect(refusal(target, undefined)).toBeUndefined();
    for (const tags of [owned('prod', 'team-b'), owned('staging', 'team-a'), partTags({ cluster: 'prod', namespace: 'team-b', name: 'x' }, 'dead-letter-queue')]) {
      const error = refusal(target, tags);
      expect([error?.code, error?.details?.causes?.map((c) => `${c.field}: ${c.reason}`)]).toEqual([422, ['spec.topicARN: FieldValueForbidden']]);
    }
  });

  test("a part must be free or this object's part already; anyone else's is a 409 naming the holder", () => {
    expect(refusal(part, undefined)).toBeUndefined();
    expect(refusal(part, partTags(referrer, 'dead-letter-queue'))).toBeUndefined();
    expect(refusal(part, owned('prod', 'team-b'))?.message).toContain('belongs to sqsqueue "alerts" in namespace "team-b"');
    expect(refusal(part, owned('prod', 'team-a', 'orders'))?.code).toBe(409);
    expect(refusal(part, partTags({ ...referrer, name: 'other' }, 'dead-letter-queue'))?.message).toContain('(its dead-letter-queue)');
    expect(refusal(part, {})?.message).toContain('not managed by this server');
  });

  test("an explicit name may not take the space of this cluster's default names, except the object's own", () => {
    const identity = { clusterName: 'prod', namespace: 'team-a', name: 'orders' };
    const errors = (queueName: string) => reservedNameErrors(sqsQueue, { queueName, fifoQueue: false }, identity).map((e) => `${e.field}: ${e.type}`);
    expect(errors('prod_team-b_orders')).toEqual(['spec.queueName: FieldValueForbidden']);
    expect(errors('prod_team-b_orders.fifo')).toEqual(['spec.queueName: FieldValueForbidden']);
    expect(errors('prod_team-b_a-b-0123abcd')).toEqual(['spec.queueName: FieldValueForbidden']);
    expect(errors('prod_team-a_orders')).toEqual([]);
    expect(errors('orders-queue')).toEqual([]);
    expect(errors('prod_orders')).toEqual([]);
    expect(reservedNameErrors(sqsQueue, { fifoQueue: false }, identity)).toEqual([]);
  });
});
