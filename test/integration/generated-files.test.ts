// The files that list every kind are what `npm run generate` makes of the table of kinds
// (src/kinds/index.ts): the aggregated RBAC of deploy/ and the Helm chart, and the kinds tables of
// README.md and docs/kinds.md. A kind added to the table without regenerating fails here.
import { readFileSync } from 'node:fs';
import { generatedFiles } from '../../src/generate.js';
import { KINDS } from '../../src/kinds/index.js';

test.each(generatedFiles().map((file) => [file.path, file] as const))('%s is generated from the table of kinds (run npm run generate)', (_path, file) => {
  expect(readFileSync(file.path, 'utf8')).toBe(file.content);
});

test('every kind of the table appears in every generated file', () => {
  for (const file of generatedFiles()) {
    expect([file.path, KINDS.filter((kind) => !file.content.includes(kind.names.plural)).map((kind) => kind.names.plural)]).toEqual([file.path, []]);
  }
});
