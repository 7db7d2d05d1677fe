// The patch formats kube-apiserver accepts for custom resources (apiserver handlers/patch.go):
// JSON merge patch (RFC 7386) and JSON patch (RFC 6902). Strategic merge patch is refused with 415,
// exactly as for CRDs, so kubectl falls back to merge patches. Server-side apply patches
// (application/apply-patch+yaml, JSON or YAML) are merged by the registry's field manager.
import jsonPatch from 'fast-json-patch';
import { badRequest, StatusError } from './errors.js';
import { isPlainObject } from './types.js';

export type PatchType = 'merge' | 'json' | 'apply';

export const PATCH_CONTENT_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/apply-patch+yaml': 'apply',
};

const MAX_JSON_PATCH_OPERATIONS = 10000;

export function patchTypeOf(contentType: string | undefined): PatchType {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const type = PATCH_CONTENT_TYPES[mediaType];
  if (type) return type;
  throw new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_CONTENT_TYPES).join(', ')}`,
  );
}

/** RFC 7386: objects merge recursively, `null` removes a key, anything else (arrays too) replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/**
 * A JSON patch that does not apply: kube-apiserver answers a 422 in these words, without the
 * detail (errors.NewGenericServerResponse for 422).
 */
const NOT_APPLICABLE = 'the server rejected our request due to an error in our request';

/** RFC 6902, including `test`. A malformed patch is 400; one that does not apply is 422 (as kube does). */
export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(
      413,
      'RequestEntityTooLarge',
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, the current patch has ${patch.length} operations`,
    );
  }
  const malformed = jsonPatch.validate(patch as jsonPatch.Operation[]);
  if (malformed) throw badRequest(`invalid JSON patch: ${malformed.message.split('\n')[0]}`);
  try {
    return jsonPatch.applyPatch(structuredClone(target), patch as jsonPatch.Operation[], true, false).newDocument;
  } catch {
    throw new StatusError(422, 'Invalid', NOT_APPLICABLE);
  }
}
