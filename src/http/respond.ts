// Writing responses: objects in the negotiated shape and media type, every error as a metav1.Status,
// warnings as `Warning: 299` headers (kubectl prints them).
import type { Response } from 'express';
import { stringify as toYaml } from 'yaml';
import { internalError, StatusError } from '../api/errors.js';
import type { Negotiated } from '../api/negotiation.js';
import type { Logger } from '../log.js';

export function sendBody(res: Response, code: number, body: unknown, mediaType: Negotiated['mediaType'] = 'application/json'): void {
  res.status(code).type(mediaType).send(mediaType === 'application/yaml' ? toYaml(body) : JSON.stringify(body));
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
