// Query parameters as kube-apiserver reads them: booleans (any value but false/0, a bare flag too),
// the options of writes validated with apimachinery's wording, DeleteOptions from the body or the query.
import { parseRequestInfo } from '../../src/api/request-info.js';
import { booleanOf, deleteQueryOf, writeQueryOf } from '../../src/http/query.js';
import { statusErrorOf } from '../support/status-errors.js';

const q = (text: string) => new URLSearchParams(text);

test('booleans: true unless absent, false or 0 in any case; Python sends True', () => {
  for (const text of ['watch=true', 'watch=True', 'watch=1', 'watch', 'watch=', 'watch=yes']) expect([text, booleanOf(q(text), 'watch')]).toEqual([text, true]);
  for (const text of ['', 'watch=false', 'watch=False', 'watch=FALSE', 'watch=0']) expect([text, booleanOf(q(text), 'watch')]).toEqual([text, false]);
});

test('a list with watch=True or a bare ?watch is a watch', () => {
  const verb = (query: string) => parseRequestInfo('GET', '/apis/service-operator.aws/v1alpha1/namespaces/a/dynamodbs', q(query)).verb;
  expect([verb('watch=True'), verb('watch'), verb('watch=0'), verb('watch=false'), verb('')]).toEqual(['watch', 'watch', 'list', 'list', 'list']);
});

describe('write options', () => {
  test('force, even false, on a non-apply patch; an apply without a field manager', () => {
    expect(statusErrorOf(() => writeQueryOf('PatchOptions', q('force=false'), 'merge')).message).toBe('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
    expect(statusErrorOf(() => writeQueryOf('PatchOptions', q(''), 'apply')).message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    expect(writeQueryOf('PatchOptions', q('fieldManager=flux&force=True'), 'apply')).toMatchObject({ fieldManager: 'flux', force: true });
  });

  test('field managers: at most 128 bytes, printable (non-ASCII letters are)', () => {
    expect(statusErrorOf(() => writeQueryOf('CreateOptions', q(`fieldManager=${'m'.repeat(129)}`))).message).toBe('CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes');
    expect(statusErrorOf(() => writeQueryOf('UpdateOptions', q('fieldManager=a%07b'))).message).toBe('UpdateOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\\ab": invalid character U+0007 (at position 1)');
    expect(writeQueryOf('CreateOptions', q('fieldManager=caf%C3%A9')).fieldManager).toBe('café');
  });

  test('fieldValidation and dryRun values', () => {
    expect(statusErrorOf(() => writeQueryOf('CreateOptions', q('fieldValidation=Loose'))).message).toBe('CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loose": supported values: "", "Ignore", "Strict", "Warn"');
    expect(statusErrorOf(() => writeQueryOf('CreateOptions', q('dryRun=Some'))).message).toBe('CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["Some"]: supported values: "All"');
    expect(writeQueryOf('CreateOptions', q('dryRun=All'))).toMatchObject({ dryRun: true, fieldValidation: 'Warn' });
  });
});

describe('delete options', () => {
  test('from the body when there is one, else from the query', () => {
    expect(deleteQueryOf({ propagationPolicy: 'Foreground' }, q('propagationPolicy=Orphan')).propagationPolicy).toBe('Foreground');
    expect(deleteQueryOf(undefined, q('propagationPolicy=Orphan&dryRun=All'))).toMatchObject({ propagationPolicy: 'Orphan', dryRun: true });
    expect(deleteQueryOf(undefined, q('orphanDependents=true')).propagationPolicy).toBe('Orphan');
  });

  test('an unknown policy, or both a policy and orphanDependents, is a 422', () => {
    expect(statusErrorOf(() => deleteQueryOf(undefined, q('propagationPolicy=Sideways'))).message).toBe('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"');
    expect(statusErrorOf(() => deleteQueryOf({ propagationPolicy: 'Background', orphanDependents: false }, q(''))).message).toBe('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "Background": orphanDependents and deletionPropagation cannot be both set');
  });
});
