// The HTTPS server. Certificate files are re-read when they change (cert-manager or the certs script
// rotating them), without a restart. Client certificates are requested but verified by the
// authenticators, which know which CA each kind of client certificate must chain to.
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { RequestListener } from 'node:http';
import type { Logger } from '../log.js';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

const RELOAD_CHECK_MS = 10_000;

function modified(files: TlsFiles): string {
  return [files.certFile, files.keyFile].map((f) => statSync(f).mtimeMs).join(':');
}

export function createTlsServer(files: TlsFiles, handler: RequestListener, log: Logger, reloadCheckMs = RELOAD_CHECK_MS): { server: Server; stopReloading: () => void } {
  const read = () => ({ cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) });
  const server = createServer({ ...read(), requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' }, handler);
  // Watch streams outlive any request timeout; Node's default 5-minute requestTimeout would cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  let last = modified(files);
  const timer = setInterval(() => {
    try {
      const now = modified(files);
      if (now === last) return;
      server.setSecureContext({ ...read(), minVersion: 'TLSv1.2' });
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
