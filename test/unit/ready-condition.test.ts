// The Ready condition's lastTransitionTime: kept while the status stays, taken from what the last
// write stored when a process renders an object for the first time (a restart), else the moment the
// change is seen.
import type { ReadySince, StoredMetadata } from '../../src/aws/metadata-tags.js';
import type { KindDefinition, Observed } from '../../src/registry/kind.js';
import { readySinceOf, renderObject } from '../../src/registry/objects.js';
import type { Condition, KubeObject } from '../../src/api/types.js';

const kind = { names: { kind: 'DynamoDB' } } as KindDefinition;
const CREATED = '2026-01-01T00:00:00Z';
const NOW = '2026-06-01T12:00:00Z';

function observed(phase: 'Ready' | 'Creating'): Observed {
  return { ref: 't', arn: 'arn:aws:dynamodb:us-east-1:1:table/t', tags: {}, spec: {}, status: {}, outputs: {}, lifecycle: { state: phase === 'Ready' ? 'ACTIVE' : 'CREATING', phase } };
}

function render(phase: 'Ready' | 'Creating', readySince?: ReadySince, previous?: KubeObject): KubeObject {
  const meta: StoredMetadata = { uid: 'u', creationTimestamp: CREATED, generation: 1, ...(readySince ? { readySince } : {}) };
  return renderObject(kind, observed(phase), meta, 'default', 't', previous, NOW);
}

function ready(object: KubeObject): Condition {
  return (object.status?.conditions as Condition[]).find((c) => c.type === 'Ready') as Condition;
}

test('first rendering in a process: the stored time when the status is the stored one', () => {
  expect(ready(render('Ready', { status: 'True', time: CREATED })).lastTransitionTime).toBe(CREATED);
  expect(ready(render('Creating', { status: 'True', time: CREATED })).lastTransitionTime).toBe(NOW);
  expect(ready(render('Ready')).lastTransitionTime).toBe(NOW);
});

test('later renderings keep the previous time while the status stays, and take now when it changes', () => {
  const earlier = render('Creating', { status: 'True', time: CREATED });
  const stillCreating = renderObject(kind, observed('Creating'), { uid: 'u', creationTimestamp: CREATED, generation: 1 }, 'default', 't', earlier, '2026-06-01T12:00:05Z');
  expect(ready(stillCreating).lastTransitionTime).toBe(NOW);
  const becameReady = renderObject(kind, observed('Ready'), { uid: 'u', creationTimestamp: CREATED, generation: 1, readySince: { status: 'True', time: CREATED } }, 'default', 't', stillCreating, '2026-06-01T12:00:09Z');
  expect(ready(becameReady).lastTransitionTime).toBe('2026-06-01T12:00:09Z');
});

test('a stored record of the wrong shape is ignored', () => {
  const mistyped = { status: 'True', time: 5 } as unknown as ReadySince;
  expect(ready(render('Ready', mistyped)).lastTransitionTime).toBe(NOW);
});

test('what a write stores: the condition as shown, or Ready since creation for a new object', () => {
  expect(readySinceOf(undefined, CREATED)).toEqual({ status: 'True', time: CREATED });
  const shown = render('Creating');
  expect(readySinceOf(shown, CREATED)).toEqual({ status: 'False', time: NOW });
});
