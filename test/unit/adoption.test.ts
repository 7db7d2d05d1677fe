// Who may adopt what (registry/adoption.ts): the decisions behind the 409s, from tags alone.
import { identityTags, partTags } from '../../src/aws/metadata-tags.js';
import { adoptionRefusal, asksToAdopt, keptTags, managementChangeErrors, managementOf, retainedTag } from '../../src/registry/adoption.js';
import { sameClaimant } from '../../src/aws/adoption-claims.js';

const adopter = { cluster: 'prod', namespace: 'team-a', name: 'orders' };

describe('adoptionRefusal', () => {
  test('a resource without our tags may be adopted', () => {
    expect(adoptionRefusal({ 'cost-center': 'retail' }, adopter, 'dynamodb')).toBeUndefined();
  });

  test.each([
    ['another object of the namespace', identityTags({ ...adopter, name: 'other' }), 'dynamodb "other" in namespace "team-a"'],
    ['another namespace', identityTags({ ...adopter, namespace: 'team-b' }), 'namespace "team-b"'],
    ['another cluster', identityTags({ ...adopter, cluster: 'staging' }), 'another cluster ("staging"'],
    ['a part of another object', partTags({ ...adopter, name: 'jobs' }, 'dead-letter-queue'), 'as its dead-letter-queue'],
  ])('a resource managed by %s is refused, naming the owner', (_case, tags, words) => {
    expect(adoptionRefusal(tags, adopter, 'dynamodb')).toContain(words);
  });

  test('a retained resource may be adopted again by its namespace only', () => {
    const retained = retainedTag({ ...adopter, name: 'old-name' });
    expect(adoptionRefusal(retained, adopter, 'dynamodb')).toBeUndefined();
    expect(adoptionRefusal(retained, { ...adopter, namespace: 'team-b' }, 'dynamodb')).toContain('only that namespace may adopt it again');
    expect(adoptionRefusal(retained, { ...adopter, cluster: 'staging' }, 'dynamodb')).toContain('of cluster "prod"');
  });
});

describe('annotations', () => {
  test('observe-only objects always adopt; adopt must be "true"', () => {
    expect(asksToAdopt({ 'service-operator.aws/management': 'observe' })).toBe(true);
    expect(asksToAdopt({ 'service-operator.aws/adopt': 'true' })).toBe(true);
    expect(asksToAdopt({ 'service-operator.aws/adopt': 'false' })).toBe(false);
    expect(asksToAdopt(undefined)).toBe(false);
  });

  test('management defaults to manage, unknown values are undefined, and it cannot change', () => {
    expect(managementOf(undefined)).toBe('manage');
    expect(managementOf({ 'service-operator.aws/management': 'read-only' })).toBeUndefined();
    expect(managementChangeErrors(undefined, { 'service-operator.aws/management': 'manage' })).toEqual([]);
    expect(managementChangeErrors(undefined, { 'service-operator.aws/management': 'observe' })[0].field).toBe('metadata.annotations[service-operator.aws/management]');
  });

  test('an observe-only object keeps a retention mark; a managed one does not', () => {
    const tags = retainedTag(adopter);
    expect(keptTags(tags, { 'service-operator.aws/management': 'observe' })).toEqual(tags);
    expect(keptTags(tags, {})).toEqual({});
  });
});

test('a claim is the same object only when cluster, namespace and name all match', () => {
  const claim = { ...adopter, since: '2026-12-01T00:00:00Z' };
  expect(sameClaimant(claim, adopter)).toBe(true);
  expect(sameClaimant(claim, { ...adopter, cluster: 'staging' })).toBe(false);
  expect(sameClaimant(undefined, adopter)).toBe(false);
});
