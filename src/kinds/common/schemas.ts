// Schema pieces several kinds share (this folder is not a kind: it is not in the table, index.ts).
import type { Schema } from '../../api/schema.js';

/** An IAM-style JSON policy document, written as YAML/JSON structure rather than as a string. */
export function policyDocument(description: string): Schema {
  return { type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true };
}

/** Properties that are all strings, each with its description. */
export function stringProperties(descriptions: Record<string, string>): Record<string, Schema> {
  return Object.fromEntries(Object.entries(descriptions).map(([name, description]) => [name, { type: 'string', description }]));
}

/** The schema of a kind's `output`: the original operator's output keys, all strings. */
export function outputSchema(descriptions: Record<string, string>, note = ''): Schema {
  return { type: 'object', description: `Outputs for applications (also in the ConfigMap named like this object).${note}`, properties: stringProperties(descriptions) };
}
