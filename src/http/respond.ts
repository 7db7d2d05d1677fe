// Writing responses: objects in the negotiated shape and media type, every error as a metav1.Status,
// warnings as `Warning: 299` headers (kubectl prints them).
import type { Request, Response } from 'express';
import { stringify as toYaml } from 'yaml';
import { internalError, StatusError } from '../api/errors.js';
import type { Negotiated } from '../api/negotiation.js';
import type { Logger } from '../log.js';
import { parseBool, queryOf } from './query.js';

/**
 * kube-apiserver's isPrettyPrint: `pretty` as Go's strconv.ParseBool reads it when given a value,
 * else pretty for people's tools (curl, Wget, browsers).
 */
function pretty(req: Request | undefined): boolean {
  if (!req) return false;
  // Not `new URL`: it throws on a request target that reads as another host (`//[x/...`), and this
  // runs while errors are answered.
  const value = queryOf(req.originalUrl).get('pretty');
  if (value) return parseBool(value) ?? false;
  const agent = req.headers['user-agent'] ?? '';
  return agent.startsWith('curl') || agent.startsWith('Wget') || agent.startsWith('Mozilla/5.0');
}

export function sendBody(res: Response, code: number, body: unknown, mediaType: Negotiated['mediaType'] = 'application/json'): void {
  const json = pretty(res.req) ? JSON.stringify(body, null, 2) : JSON.stringify(body);
  res.status(code).type(mediaType).send(mediaType === 'application/yaml' ? toYaml(body) : json);
}

export function addWarnings(res: Response, warnings: string[]): void {
  for (const warning of warnings) res.append('Warning', `299 - ${JSON.stringify(warning)}`);
}

/** Any thrown value as a Status response; unexpected ones are logged and become a 500 without a stack. */
export function sendError(res: Response, error: unknown, log: Logger): void {
  const status = error instanceof StatusError ? error : internalError(error instanceof Error ? error.message : String(error));
  if (!(error instanceof StatusError)) log.error({ err: error }, 'unexpected error');
  if (res.headersSent) {
    res.end();
    return;
  }
  // The rest of an oversized body is never read: close the connection rather than reuse it.
  if (status.code === 413) res.setHeader('Connection', 'close');
  const retryAfter = status.details?.retryAfterSeconds;
  if (retryAfter) res.setHeader('Retry-After', String(retryAfter));
  sendBody(res, status.code, status.toStatus());
}
