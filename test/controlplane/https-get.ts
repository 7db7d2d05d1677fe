// A bounded HTTPS GET for readiness probes: trusts exactly `ca`, optionally with a client
// certificate and the server name the certificate is for.
import { request } from 'node:https';

export interface GetOptions {
  ca: string;
  cert?: string;
  key?: string;
  /** The TLS server name to verify (default: the URL's host). */
  servername?: string;
  timeoutMs?: number;
}

export function httpsGet(url: string, options: GetOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { timeoutMs = 10_000, ...tls } = options;
    const req = request(url, { ...tls, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
