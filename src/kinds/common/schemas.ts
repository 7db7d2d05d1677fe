// Schema pieces several kinds share. This folder has no index module, so the kind loader skips it.
import type { Schema } from '../../api/schema.js';

/** Fields every spec of the original operator had; accepted so its manifests apply, and ignored. */
export const ORIGINAL_OPERATOR_FIELDS: Record<string, Schema> = {
  cloudFormationTemplateName: { type: 'string', description: 'Accepted for compatibility with the original operator; ignored.' },
  cloudFormationTemplateNamespace: { type: 'string', description: 'Accepted for compatibility with the original operator; ignored.' },
  rollbackCount: { type: 'integer', description: 'Accepted for compatibility with the original operator; ignored.' },
};

/** An IAM-style JSON policy document, written as YAML/JSON structure rather than as a string. */
export function policyDocument(description: string): Schema {
  return { type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true };
}
