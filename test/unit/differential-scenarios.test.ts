// The differential suite (test/cluster/differential.test.ts) is data: this checks the data without a
// cluster. Every kind of the table is covered by its examples, each scenario addresses the kind by its
// own plural and root field (`data` for CloudFormationTemplate), and scenario names are unique (jest
// reports them by name).
import { KINDS } from '../../src/kinds/index.js';
import { specFieldOf } from '../../src/registry/kind.js';
import { scenarios } from '../support/differential/scenarios.js';

const all = scenarios();

test('every kind of the table has example scenarios', () => {
  const covered = new Set(all.filter((s) => s.name.startsWith('example ')).map((s) => s.kind));
  expect(KINDS.map((k) => k.names.kind).filter((kind) => !covered.has(kind))).toEqual([]);
});

test('each scenario names its kind by plural and root field as the kind declares them', () => {
  for (const scenario of all) {
    const kind = KINDS.find((k) => k.names.kind === scenario.kind);
    expect([scenario.name, scenario.plural, scenario.specField]).toEqual([scenario.name, kind?.names.plural, kind && specFieldOf(kind)]);
  }
});

test('scenario names are unique', () => {
  expect(all.length).toBe(new Set(all.map((s) => s.name)).size);
});
