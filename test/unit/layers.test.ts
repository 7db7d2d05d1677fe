// The layers of src/ and what each may import (type-only imports count: they are dependencies of
// the design too). A layer is a folder of src/ or a module at its top. The table below is the
// architecture: api/ (the Kubernetes API's shapes) depends on nothing; aws/ only on api/; the
// registry on both; kinds on those; the Kubernetes-client, auth, HTTP and TLS layers never on a
// kind; only the modules at the top wire everything together. Whatever the table says, the graph
// of layers must have no cycle.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const SRC = resolve('src');

const MAY_IMPORT: Record<string, string[]> = {
  api: [],
  log: [],
  config: [],
  'start-error': [],
  'build-if-stale': [],
  aws: ['api'],
  auth: ['api', 'log'],
  tls: ['api', 'log'],
  registry: ['api', 'aws', 'log'],
  kinds: ['api', 'aws', 'registry'],
  kube: ['api', 'auth', 'log'],
  http: ['api', 'auth', 'registry', 'log'],
  kubeconfig: [],
  leadership: ['config', 'kube', 'log', 'registry'],
  modes: ['auth', 'config', 'kube', 'leadership', 'log', 'registry'],
  server: ['api', 'aws', 'config', 'http', 'kinds', 'kube', 'kubeconfig', 'log', 'modes', 'registry', 'start-error', 'tls'],
  main: ['config', 'log', 'server', 'start-error'],
  generate: ['kinds'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** `kinds` for src/kinds/sqsqueue/aws.ts, `server` for src/server.ts. */
function layerOf(file: string): string {
  const [first] = relative(SRC, file).split('/');
  return first.replace(/\.(ts|js|mjs)$/, '');
}

/** Every relative import and re-export of a file (static, type-only and dynamic), as the layers they reach. */
function importedLayers(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles.map((i) => i.fileName).filter((name) => name.startsWith('.')).map((name) => layerOf(resolve(dirname(file), name)));
}

/** The dependencies between layers that the sources actually have. */
function layerGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const from = layerOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    for (const to of importedLayers(file)) if (to !== from) edges.add(to);
    graph.set(from, edges);
  }
  return graph;
}

/** A cycle through the graph, as the layers on it, or undefined. */
function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'visiting');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

const graph = layerGraph();

test('every layer of src/ is in the table', () => {
  expect([...graph.keys()].filter((layer) => !(layer in MAY_IMPORT))).toEqual([]);
});

test('each layer imports only the layers the table allows it', () => {
  const forbidden = [...graph].flatMap(([from, targets]) => [...targets].filter((to) => !(MAY_IMPORT[from] ?? []).includes(to)).map((to) => `${from} -> ${to}`));
  expect(forbidden).toEqual([]);
});

test('the layers import each other without a cycle', () => {
  expect(findCycle(graph)).toBeUndefined();
});

test('the check sees imports of every form, and finds a cycle when there is one', () => {
  const text = "import type { A } from '../api/a.js';\nexport { b } from '../aws/b.js';\nconst c = await import('../kinds/c.js');\n";
  expect(ts.preProcessFile(text, true, true).importedFiles.map((i) => i.fileName)).toEqual(['../api/a.js', '../aws/b.js', '../kinds/c.js']);
  const cyclic = new Map([
    ['aws', new Set(['api'])],
    ['api', new Set(['registry'])],
    ['registry', new Set(['aws'])],
  ]);
  expect(findCycle(cyclic)).toEqual(['aws', 'api', 'registry', 'aws']);
  expect(findCycle(graph)).toBeUndefined();
});
