// The HTTPS server. Certificate files are re-read when they change (cert-manager or the certs script
// rotating them), without a restart. Client certificates are requested but verified by the
// authenticators, which know which CA each kind of client certificate must chain to.
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { RequestListener } from 'node:http';
import type { Duplex } from 'node:stream';
import { StatusError } from '../api/errors.js';
import type { Logger } from '../log.js';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

const RELOAD_CHECK_MS = 10_000;

/**
 * TLS 1.3's suites and, for TLS 1.2, only forward-secret AEAD suites (ECDHE with AES-GCM or
 * ChaCha20-Poly1305, for RSA and ECDSA certificates): OpenSSL's default would also offer the CBC
 * suites with SHA-1 MACs (AES128-SHA, ECDHE-RSA-AES128-SHA...). kube-apiserver, kubectl and every
 * client-go speak these.
 */
export const SERVING_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

const PROTOCOL = { minVersion: 'TLSv1.2', ciphers: SERVING_CIPHERS, honorCipherOrder: true } as const;

function modified(files: TlsFiles): string {
  return [files.certFile, files.keyFile].map((f) => statSync(f).mtimeMs).join(':');
}

/** Node's own answers to requests it cannot parse, as a Status (its default is a bare 400 without one). */
const UNPARSABLE: Record<string, [number, string]> = { HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'], ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'] };

function answerUnparsable(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) return;
  const [code, phrase] = UNPARSABLE[error.code ?? ''] ?? [400, 'Bad Request'];
  const body = JSON.stringify(new StatusError(code, 'BadRequest', `the request could not be parsed as HTTP (${error.code ?? error.message})`).toStatus());
  socket.end(`HTTP/1.1 ${code} ${phrase}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export function createTlsServer(files: TlsFiles, handler: RequestListener, log: Logger, reloadCheckMs = RELOAD_CHECK_MS): { server: Server; stopReloading: () => void } {
  const read = () => ({ cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) });
  const server = createServer({ ...read(), ...PROTOCOL, requestCert: true, rejectUnauthorized: false }, handler);
  server.on('clientError', answerUnparsable);
  // Watch streams outlive any request timeout; Node's default 5-minute requestTimeout would cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  let last = modified(files);
  const timer = setInterval(() => {
    try {
      const now = modified(files);
      if (now === last) return;
      server.setSecureContext({ ...read(), ...PROTOCOL });
      // Only once loaded: a certificate and key caught half-rotated (mismatched) are tried again next time.
      last = now;
      log.info({ certFile: files.certFile }, 'reloaded serving certificate');
    } catch (error) {
      log.warn({ err: error }, 'could not reload serving certificate; keeping the current one');
    }
  }, reloadCheckMs);
  timer.unref();
  return { server, stopReloading: () => clearInterval(timer) };
}
