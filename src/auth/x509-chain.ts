// Verifying a TLS client's certificate chain against one specific CA bundle. Node's TLS layer can only
// verify against the union of every configured CA (`ca` lists are merged), so a certificate from the
// client CA would pass as a front-proxy certificate. The server therefore accepts any client
// certificate at the TLS layer (the handshake still proves the client holds the key) and each
// authenticator verifies the chain here against the bundle it trusts.
import type { IncomingMessage } from 'node:http';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';

const MAX_CHAIN_LENGTH = 8;
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

/** The client certificate of the request's TLS connection, with the intermediates it sent. */
export function peerCertificate(req: IncomingMessage): DetailedPeerCertificate | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate(true);
  return peer?.raw ? peer : undefined;
}

/** The values of one subject attribute (e.g. every O), as Node parsed them. */
export function subjectValues(peer: DetailedPeerCertificate, attribute: 'CN' | 'O'): string[] {
  const value = (peer.subject as unknown as Record<string, string | string[] | undefined>)[attribute];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function currentlyValid(cert: X509Certificate, now: number): boolean {
  return Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
}

function usableForClientAuth(cert: X509Certificate): boolean {
  // No extended key usage extension means no restriction (as in Go's crypto/x509).
  const usages = cert.keyUsage as string[] | undefined;
  return !usages || usages.includes(CLIENT_AUTH) || usages.includes(ANY_EXTENDED_KEY_USAGE);
}

function signedBy(child: X509Certificate, issuer: X509Certificate, now: number): boolean {
  return child.checkIssued(issuer) && child.verify(issuer.publicKey) && currentlyValid(issuer, now);
}

/** The certificates the client sent, leaf first; the peer's own issuer links may loop back on themselves. */
function presentedChain(peer: DetailedPeerCertificate): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  for (let cert: DetailedPeerCertificate | undefined = peer; cert?.raw && !seen.has(cert.fingerprint256) && chain.length < MAX_CHAIN_LENGTH; cert = cert.issuerCertificate) {
    seen.add(cert.fingerprint256);
    chain.push(new X509Certificate(cert.raw));
  }
  return chain;
}

/**
 * True when the client's certificate is valid now, usable for client authentication, and chains
 * (through intermediate CAs the client sent) to one of `roots` by signature.
 */
export function chainsTo(peer: DetailedPeerCertificate, roots: X509Certificate[], now: number = Date.now()): boolean {
  const [leaf, ...intermediates] = presentedChain(peer);
  if (!leaf || !currentlyValid(leaf, now) || !usableForClientAuth(leaf)) return false;
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN_LENGTH; depth++) {
    if (roots.some((root) => signedBy(current, root, now))) return true;
    const next = intermediates.find((candidate) => candidate.ca && candidate !== current && usableForClientAuth(candidate) && signedBy(current, candidate, now));
    if (!next) return false;
    current = next;
  }
  return false;
}
