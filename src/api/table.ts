// meta.k8s.io/v1 Table and PartialObjectMetadata renderings of our objects (what `kubectl get`, the
// garbage collector and metadata informers ask for).
import type { PrinterColumn } from './resource.js';
import { humanDuration } from './time.js';
import { isPlainObject, type KubeObject, type ObjectMeta } from './types.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions: TableColumn[] | null;
  rows: TableRow[];
}

export function partialObjectMetadata(metadata: ObjectMeta) {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata };
}

/** Reads `.a.b[0].c` from an object; undefined when any step is missing. */
export function readJsonPath(object: unknown, path: string): unknown {
  const steps = path.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean);
  return steps.reduce<unknown>((node, step) => (isPlainObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[step] : undefined), object);
}

export function tableColumns(columns: PrinterColumn[]): TableColumn[] {
  return [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
    ...columns.map((c) => ({ name: c.name, type: c.type, format: '', description: c.description, priority: c.priority })),
    { name: 'Age', type: 'date', format: '', description: 'Time since the object was created.', priority: 0 },
  ];
}

function rowObject(object: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  return include === 'Object' ? object : partialObjectMetadata(object.metadata);
}

export function tableRow(object: KubeObject, columns: PrinterColumn[], include: IncludeObject, now: number = Date.now()): TableRow {
  const created = object.metadata.creationTimestamp ? Date.parse(object.metadata.creationTimestamp) : now;
  const cells = [object.metadata.name, ...columns.map((c) => readJsonPath(object, c.jsonPath) ?? null), humanDuration(now - created)];
  const embedded = rowObject(object, include);
  return { cells, ...(embedded ? { object: embedded } : {}) };
}

export function toTable(
  objects: KubeObject[],
  columns: PrinterColumn[],
  options: { include: IncludeObject; resourceVersion?: string; continue?: string; headers: boolean },
): Table {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {
      ...(options.resourceVersion ? { resourceVersion: options.resourceVersion } : {}),
      ...(options.continue ? { continue: options.continue } : {}),
    },
    columnDefinitions: options.headers ? tableColumns(columns) : null,
    rows: objects.map((o) => tableRow(o, columns, options.include)),
  };
}
