// What the API layer needs to know of a kind to serve it: its names (discovery), its printer columns
// (Table) and the schemas of its root fields (OpenAPI). The registry describes each kind this way; the
// API layer never sees how a kind reaches AWS.
import type { Schema } from './schema.js';

export interface KindNames {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
}

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  description: string;
  /** Simple JSON path into the object, e.g. `.status.tableStatus`. */
  jsonPath: string;
  /** 0: always shown; 1: only with `-o wide`. */
  priority: 0 | 1;
}

/** One kind as the OpenAPI documents describe it: every root field's complete schema. */
export interface ResourceDocument {
  names: KindNames;
  description: string;
  /** Root fields besides apiVersion, kind and metadata (spec or data, status, output, ...), in order. */
  fields: Record<string, Schema>;
}
