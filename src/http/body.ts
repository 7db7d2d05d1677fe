// Request bodies: read with kube-apiserver's 3 MiB cap (413 past it), then decoded by media type.
import type { Request } from 'express';
import { parse as parseYaml } from 'yaml';
import { badRequest, StatusError } from '../api/errors.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: Request): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY_BYTES}`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function mediaTypeOf(req: Request): string {
  return (req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
}

function unsupported(mediaType: string, accepted: string[]): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format (${mediaType}) - accepted media types include: ${accepted.join(', ')}`);
}

/** JSON (or YAML, which is a superset) into a value; a syntax error is a 400 saying where. */
export function decodeText(raw: Buffer, yaml: boolean, what: string): unknown {
  const text = raw.toString('utf8');
  if (text.trim() === '') throw badRequest(`${what}: the request body is empty`);
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw badRequest(`${what}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
}

/**
 * The body of a create or update: a JSON or YAML object. As kube-apiserver, the media type and size
 * are checked first, then the request's options (`options`), then the body is decoded.
 */
export async function readObjectBody<T>(req: Request, options: () => T): Promise<{ object: unknown; options: T }> {
  const mediaType = mediaTypeOf(req);
  const accepted = ['application/json', 'application/yaml'];
  if (!accepted.includes(mediaType)) throw unsupported(mediaType, accepted);
  const raw = await readBody(req);
  const checked = options();
  return { object: decodeText(raw, mediaType === 'application/yaml', "couldn't get version/kind; json parse error"), options: checked };
}

/** The optional DeleteOptions body of a DELETE; undefined when there is none. */
export async function readDeleteOptions(req: Request): Promise<Record<string, unknown> | undefined> {
  const raw = await readBody(req);
  if (raw.length === 0 || raw.toString('utf8').trim() === '') return undefined;
  const options = decodeText(raw, mediaTypeOf(req) === 'application/yaml', 'invalid DeleteOptions');
  if (!options || typeof options !== 'object' || Array.isArray(options)) throw badRequest('invalid DeleteOptions: must be an object');
  return options as Record<string, unknown>;
}
