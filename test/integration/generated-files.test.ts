// The files that list every kind are what `npm run generate` makes of the table of kinds
// (src/kinds/index.ts): the aggregated RBAC of deploy/ and the Helm chart, and the kinds tables of
// README.md and docs/kinds.md, and the adopt ClusterRole of both. A kind added to the table without regenerating fails here.
import { readFileSync } from 'node:fs';
import { generatedFiles } from '../../src/generate.js';
import { KINDS } from '../../src/kinds/index.js';

test.each(generatedFiles().map((file) => [file.path, file] as const))('%s is generated from the table of kinds (run npm run generate)', (_path, file) => {
  expect(readFileSync(file.path, 'utf8')).toBe(file.content);
});

const isAdoptRole = (path: string) => path.endsWith('rbac-adopt.yaml');

test('every kind of the table appears in every generated file (the adopt role: every adoptable kind)', () => {
  for (const file of generatedFiles()) {
    const listed = isAdoptRole(file.path) ? KINDS.filter((kind) => !kind.notAdoptable) : KINDS;
    expect([file.path, listed.filter((kind) => !file.content.includes(kind.names.plural)).map((kind) => kind.names.plural)]).toEqual([file.path, []]);
  }
});

test('the adopt role grants adopt on no kind that cannot be adopted', () => {
  const roles = generatedFiles().filter((file) => isAdoptRole(file.path));
  expect(roles).toHaveLength(2);
  for (const file of roles) {
    expect(file.content).toContain('verbs: [adopt]');
    expect([file.path, KINDS.filter((kind) => kind.notAdoptable && file.content.includes(kind.names.plural)).map((kind) => kind.names.plural)]).toEqual([file.path, []]);
  }
});
