// Request bodies: read with kube-apiserver's 3 MiB cap (413 past it), then decoded by media type.
import type { Request } from 'express';
import { Lexer, parse as parseYaml } from 'yaml';
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

/**
 * How deep a body may nest. Far beyond any manifest (policy documents nest a handful of levels), and
 * far below what the recursive steps after decoding (merge patches, schema checks, hashing) can take.
 */
export const MAX_BODY_DEPTH = 100;

function firstLine(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

function tooDeep(what: string): StatusError {
  return badRequest(`${what}: the body nests deeper than ${MAX_BODY_DEPTH} levels`);
}

/** The deepest nesting of objects and arrays in JSON text, counted without parsing (so without recursion). */
function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/**
 * Whether YAML text opens flow collections (`[`, `{`) deeper than allowed, from the YAML library's
 * lexer (iterative, and it knows a bracket in a scalar from a bracket that nests). Needed before
 * parsing: the library's parser overflows its stack on deep flow nesting, and from about ten thousand
 * levels runs the process out of memory while reporting it.
 */
function yamlFlowTooDeep(text: string): boolean {
  let depth = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') {
      if (++depth > MAX_BODY_DEPTH) return true;
    } else if (token === ']' || token === '}') depth--;
  }
  return false;
}

/**
 * YAML as the JSON it stands for. Aliases that contain themselves (`&a [*a]`) have no JSON form, and
 * block nesting too deep for the parser is the same 400 as too deep for us; alias bombs stop at the
 * YAML library's maxAliasCount.
 */
function yamlAsJson(text: string, what: string): string {
  if (yamlFlowTooDeep(text)) throw tooDeep(what);
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    // The YAML library reports its own stack overflow as a parse error at the place it happened.
    if (error instanceof RangeError || firstLine(error).startsWith('Maximum call stack size exceeded')) throw tooDeep(what);
    throw badRequest(`${what}: ${firstLine(error)}`);
  }
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep(what);
    throw badRequest(`${what}: YAML aliases that contain themselves cannot be represented as JSON`);
  }
}

/** JSON (or YAML, which is a superset) into a value; a syntax error or a body nested too deep is a 400. */
export function decodeText(raw: Buffer, yaml: boolean, what: string): unknown {
  const text = raw.toString('utf8');
  if (text.trim() === '') throw badRequest(`${what}: the request body is empty`);
  const json = yaml ? yamlAsJson(text, what) : text;
  if (jsonDepth(json) > MAX_BODY_DEPTH) throw tooDeep(what);
  try {
    return JSON.parse(json);
  } catch (error) {
    throw badRequest(`${what}: ${firstLine(error)}`);
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
