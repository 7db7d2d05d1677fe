// Whom the server trusts to vouch for callers, as kube-apiserver publishes it in the ConfigMap
// kube-system/extension-apiserver-authentication (apiserver pkg/server/options/authentication.go):
// the CA for ordinary client certificates, and the front-proxy ("request header") CA, the names its
// certificates may carry, and the headers that carry the user.
import { X509Certificate } from 'node:crypto';

export interface RequestHeaderTrust {
  /** CAs for the front-proxy client certificate: this bundle only, never the client CA. */
  roots: X509Certificate[];
  /** Common names a front-proxy certificate may have; empty: any certificate from `roots`. */
  allowedNames: string[];
  usernameHeaders: string[];
  uidHeaders: string[];
  groupHeaders: string[];
  extraHeaderPrefixes: string[];
}

export interface AuthenticationTrust {
  /** CAs for ordinary client certificates (user = CN, groups = O). */
  clientCA?: X509Certificate[];
  requestHeader?: RequestHeaderTrust;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate in a PEM bundle; throws when the bundle holds none or an unreadable one. */
export function parseCertificateBundle(pem: string, what: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new Error(`${what} holds no PEM certificate`);
  return blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new Error(`${what} holds a certificate that cannot be read: ${(error as Error).message}`, { cause: error });
    }
  });
}

/** The `requestheader-*` values are JSON string arrays, or the literal `null`. */
function stringList(data: Record<string, string>, key: string): string[] {
  const raw = data[key];
  if (raw === undefined || raw.trim() === '') return [];
  const parsed: unknown = JSON.parse(raw);
  if (parsed === null) return [];
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string')) throw new Error(`${key} must be a JSON array of strings, got ${raw}`);
  return parsed;
}

export function parseAuthenticationTrust(data: Record<string, string>): AuthenticationTrust {
  const trust: AuthenticationTrust = {};
  if (data['client-ca-file']) trust.clientCA = parseCertificateBundle(data['client-ca-file'], 'client-ca-file');
  if (data['requestheader-client-ca-file']) {
    trust.requestHeader = {
      roots: parseCertificateBundle(data['requestheader-client-ca-file'], 'requestheader-client-ca-file'),
      allowedNames: stringList(data, 'requestheader-allowed-names'),
      usernameHeaders: stringList(data, 'requestheader-username-headers'),
      uidHeaders: stringList(data, 'requestheader-uid-headers'),
      groupHeaders: stringList(data, 'requestheader-group-headers'),
      extraHeaderPrefixes: stringList(data, 'requestheader-extra-headers-prefix'),
    };
  }
  return trust;
}
