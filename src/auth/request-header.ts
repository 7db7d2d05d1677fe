// Front-proxy ("request header") authentication, as k8s.io/apiserver's headerrequest authenticator:
// kube-apiserver's aggregator forwards the already-authenticated user in X-Remote-* headers over a TLS
// connection made with its front-proxy client certificate. The headers are believed only when that
// certificate chains to the requestheader CA and its CN is an allowed name; then they are removed so
// nothing further down reads them.
import type { IncomingMessage } from 'node:http';
import type { Authenticator, UserInfo } from './types.js';
import type { RequestHeaderTrust } from './trust.js';
import { chainsTo, peerCertificate, subjectValues } from './x509-chain.js';

function values(req: IncomingMessage, headers: string[]): string[] {
  return headers.flatMap((header) => req.headersDistinct[header.toLowerCase()] ?? []);
}

/** `X-Remote-Extra-Authentication.kubernetes.io%2Fcredential-id` → `authentication.kubernetes.io/credential-id`. */
function extraKey(suffix: string): string {
  try {
    return decodeURIComponent(suffix.toLowerCase());
  } catch {
    return suffix.toLowerCase();
  }
}

function extras(req: IncomingMessage, prefixes: string[]): Record<string, string[]> {
  const lowered = prefixes.map((p) => p.toLowerCase());
  const extra: Record<string, string[]> = {};
  for (const [header, headerValues] of Object.entries(req.headersDistinct)) {
    const prefix = lowered.find((p) => header.startsWith(p) && header.length > p.length);
    if (!prefix || !headerValues) continue;
    const key = extraKey(header.slice(prefix.length));
    extra[key] = [...(extra[key] ?? []), ...headerValues];
  }
  return extra;
}

function removeIdentityHeaders(req: IncomingMessage, trust: RequestHeaderTrust): void {
  for (const header of [...trust.usernameHeaders, ...trust.uidHeaders, ...trust.groupHeaders]) delete req.headers[header.toLowerCase()];
  const prefixes = trust.extraHeaderPrefixes.map((p) => p.toLowerCase());
  for (const header of Object.keys(req.headers)) if (prefixes.some((p) => header.startsWith(p))) delete req.headers[header];
}

export class RequestHeaderAuthenticator implements Authenticator {
  /** `trust` is read per request: the ConfigMap it comes from can change at any time. */
  constructor(private readonly trust: () => RequestHeaderTrust | undefined) {}

  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const trust = this.trust();
    const peer = peerCertificate(req);
    if (!trust || !peer || !chainsTo(peer, trust.roots)) return undefined;
    if (trust.allowedNames.length > 0 && !subjectValues(peer, 'CN').some((cn) => trust.allowedNames.includes(cn))) return undefined;
    const name = values(req, trust.usernameHeaders).find((v) => v !== '');
    if (!name) return undefined;
    const uid = values(req, trust.uidHeaders).find((v) => v !== '');
    const user: UserInfo = { name, ...(uid ? { uid } : {}), groups: values(req, trust.groupHeaders), extra: extras(req, trust.extraHeaderPrefixes) };
    removeIdentityHeaders(req, trust);
    return user;
  }
}
