import { StatusError } from '../../src/api/errors.js';
import { parseFieldSelector, parseLabelSelector } from '../../src/api/selectors.js';
import type { KubeObject } from '../../src/api/types.js';

const labels = { app: 'web', tier: 'front', replicas: '3' };

describe('label selectors', () => {
  test.each([
    ['', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['missing!=x', true],
    ['app in (web, api)', true],
    ['app notin (web,api)', false],
    ['tier in (back),app=web', false],
    ['app=web,tier=front', true],
    ['replicas>2', true],
    ['replicas<3', false],
  ])('%s → %s', (selector, expected) => {
    expect(parseLabelSelector(selector)(labels)).toBe(expected);
  });

  test('a malformed selector is a 400', () => {
    for (const bad of ['app in web', 'a=b=c', 'x>y']) {
      expect(() => parseLabelSelector(bad)).toThrow(StatusError);
      try {
        parseLabelSelector(bad);
      } catch (error) {
        expect((error as StatusError).code).toBe(400);
      }
    }
  });
});

describe('field selectors', () => {
  const object = { apiVersion: 'v', kind: 'K', metadata: { name: 'orders', namespace: 'team-a' } } as KubeObject;

  test('metadata.name and metadata.namespace with =, ==, !=', () => {
    expect(parseFieldSelector('metadata.name=orders').matches(object)).toBe(true);
    expect(parseFieldSelector('metadata.name==orders,metadata.namespace!=team-b').matches(object)).toBe(true);
    expect(parseFieldSelector('metadata.namespace=team-b').matches(object)).toBe(false);
    expect(parseFieldSelector('metadata.name=orders').name).toBe('orders');
    expect(parseFieldSelector('metadata.name!=orders').name).toBeUndefined();
  });

  test('other fields are a 400 naming the supported ones', () => {
    expect(() => parseFieldSelector('spec.billingMode=X')).toThrow('"spec.billingMode" is not a known field selector: only "metadata.name", "metadata.namespace"');
  });
});
