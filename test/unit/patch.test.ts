import { StatusError } from '../../src/api/errors.js';
import { applyJsonPatch, applyMergePatch, patchTypeOf } from '../../src/api/patch.js';

function codeOf(run: () => unknown): number | undefined {
  try {
    run();
  } catch (error) {
    return (error as StatusError).code;
  }
  return undefined;
}

describe('patches', () => {
  test('merge patch: null removes, objects merge, arrays replace', () => {
    const target = { a: { b: 1, c: 2 }, list: [1, 2], keep: true };
    expect(applyMergePatch(target, { a: { b: null, d: 4 }, list: [3] })).toEqual({ a: { c: 2, d: 4 }, list: [3], keep: true });
    expect(target.a.b).toBe(1);
  });

  test('JSON patch applies, tests, and does not mutate the original', () => {
    const target = { metadata: { resourceVersion: '5' }, spec: { n: 1 } };
    const patched = applyJsonPatch(target, [
      { op: 'test', path: '/metadata/resourceVersion', value: '5' },
      { op: 'replace', path: '/spec/n', value: 2 },
    ]);
    expect(patched).toEqual({ metadata: { resourceVersion: '5' }, spec: { n: 2 } });
    expect(target.spec.n).toBe(1);
  });

  test('a failed test or a missing path is 422; a malformed patch is 400', () => {
    expect(codeOf(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]))).toBe(422);
    expect(codeOf(() => applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/b/c', value: 2 }]))).toBe(422);
    expect(codeOf(() => applyJsonPatch({ a: 1 }, { op: 'add' }))).toBe(400);
    expect(codeOf(() => applyJsonPatch({ a: 1 }, [{ op: 'frobnicate', path: '/a' }]))).toBe(400);
  });

  test('content types: merge and JSON patch; strategic merge patch is 415 as for CRDs', () => {
    expect(patchTypeOf('application/merge-patch+json; charset=utf-8')).toBe('merge');
    expect(patchTypeOf('application/json-patch+json')).toBe('json');
    expect(codeOf(() => patchTypeOf('application/strategic-merge-patch+json'))).toBe(415);
  });
});
