// Differential tests with kube-apiserver as the oracle: every scenario of
// test/support/differential/scenarios.ts runs against our kinds (through the APIService) and against
// CRDs of the same kinds with the same structural schemas, step by step, with real clients; after
// each step the answers, the objects (spec, metadata, managedFields) and whether a write happened
// must agree (differences by design are listed in docs/apply-and-patch.md). Where kube-apiserver did
// not write, the server must not have written to AWS either.
import { KINDS } from '../../src/kinds/index.js';
import { runStep, findPython, type StepContext } from '../support/differential/harness.js';
import { awsSettled, differences, observeObject, serverAwsWriteCalls, type Observation } from '../support/differential/observe.js';
import { scenarios } from '../support/differential/scenarios.js';
import { CRD, installCrds, SERVER, type Target } from '../support/differential/targets.js';
import { startTestCluster, type TestCluster } from '../support/real-cluster.js';

let t: TestCluster;
let counter = 0;
/** The official Python client (.ci/run installs Debian's python3-kubernetes). */
const python = findPython();
const NO_PYTHON = 'skipped: no Python with the kubernetes client (apt-get install python3-kubernetes, as .ci/run does)';

beforeAll(async () => {
  t = await startTestCluster({ clusterName: 'differential' });
  await installCrds(t.cluster.cp, KINDS);
});

afterAll(async () => {
  await t?.stop();
});

async function prepare(namespace: string, before: unknown[] | undefined): Promise<void> {
  await t.kubectl(null).ok(['create', 'namespace', namespace]);
  for (const target of [SERVER, CRD]) {
    for (const manifest of before ?? []) await t.kubectl(namespace).ok(['apply', '-f', '-'], { input: JSON.stringify(target.manifest(manifest)) });
  }
}

async function observe(target: Target, context: Omit<StepContext, 'resourceVersion'>, step: Parameters<typeof runStep>[1]): Promise<Observation & { awsWrites: number }> {
  if (target === SERVER) await awsSettled(t, context.subject);
  const before = await observeObject(t, target, context.subject);
  const writesBefore = target === SERVER ? await serverAwsWriteCalls(t) : 0;
  const answer = await runStep(target, step, { ...context, ...(before ? { resourceVersion: before.resourceVersion } : {}) }, python);
  const after = await observeObject(t, target, context.subject);
  const awsWrites = target === SERVER ? (await serverAwsWriteCalls(t)) - writesBefore : 0;
  return { answer, ...(after ? { object: after } : {}), wrote: before?.resourceVersion !== after?.resourceVersion, awsWrites };
}

/** A step in a few words: the client and what it did, without the manifest. */
function summary(step: Parameters<typeof runStep>[1]): string {
  if ('kubectl' in step) return `kubectl ${step.kubectl.join(' ')}`;
  if ('request' in step) return `${step.request.method} ${step.request.subresource ?? ''}?${step.request.query ?? ''} ${step.request.contentType ?? ''}`;
  if ('python' in step) return `python ${step.python}`;
  return `client-node ${step.node}`;
}

describe.each(scenarios().map((s) => [s.name, s] as const))('%s', (_name, scenario) => {
  const needsPython = scenario.steps.some((step) => 'python' in step);
  const run = needsPython && !python ? test.skip : test;
  run(`the server answers and stores what kube-apiserver does for the CRD, step by step${needsPython && !python ? ` (${NO_PYTHON})` : ''}`, async () => {
    const namespace = `diff-${++counter}`;
    await prepare(namespace, scenario.before);
    const context = { t, subject: { namespace, plural: scenario.plural, kind: scenario.kind, specField: scenario.specField, name: scenario.object } };
    const report: string[] = [];
    for (const [index, step] of scenario.steps.entries()) {
      const server = await observe(SERVER, context, step);
      const crd = await observe(CRD, context, step);
      const found = differences(server, crd).filter((d) => !scenario.tolerate?.some((t) => t.difference.test(d)));
      if (!crd.wrote && server.awsWrites > 0) found.push(`the server made ${server.awsWrites} AWS write calls where kube-apiserver wrote nothing`);
      if (found.length) report.push(`step ${index + 1} ${summary(step)}:\n  ${found.join('\n  ')}`);
    }
    expect(report.join('\n')).toBe('');
  });
});
