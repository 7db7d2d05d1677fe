// HTTPS calls from tests, trusting exactly the test server's CA (and optionally presenting a client
// certificate), the way kube-aggregator or any TLS client would talk to the server.
import { request as httpsRequest } from 'node:https';

export interface HttpsOptions {
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  ca: string;
  cert?: string;
  key?: string;
  /** The name the server certificate must be for (default: the URL's host). */
  servername?: string;
}

export interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export function https(url: string, options: HttpsOptions): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    // Node sends a DELETE body neither chunked nor with a length unless told its length.
    const length = options.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(options.body)) };
    const req = httpsRequest(url, { method: options.method ?? 'GET', headers: { ...length, ...options.headers }, ca: options.ca, cert: options.cert, key: options.key, ...(options.servername ? { servername: options.servername } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
