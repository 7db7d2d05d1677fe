// The HTTPS layer over real TLS: client certificate chains verified against one specific bundle (what
// keeps a client-CA certificate from passing as the front proxy), and serving certificates reloaded
// when their files are rotated.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:https';
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { chainsTo, peerCertificate } from '../../src/auth/x509-chain.js';
import { createLogger } from '../../src/log.js';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '../../src/tls/certificates.js';
import { createTlsServer } from '../../src/tls/server.js';

const log = createLogger('silent');
const serverCA = createCertificateAuthority('serving CA');
const trusted = createCertificateAuthority('trusted client CA');
const other = createCertificateAuthority('another CA');

/** An intermediate CA under `parent` (built with node-forge, as certificates.ts builds roots). */
function intermediateCA(parent: KeyPair, commonName: string): KeyPair {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer(forge.pki.certificateFromPem(parent.certPem).subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, digitalSignature: true, critical: true },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(parent.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

function writeServing(dir: string, pair: KeyPair): { certFile: string; keyFile: string } {
  const files = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
  writeFileSync(files.certFile, pair.certPem);
  writeFileSync(files.keyFile, pair.keyPem);
  return files;
}

function get(port: number, client?: { cert?: string; key?: string; ciphers?: string; maxVersion?: 'TLSv1.2' }): Promise<{ body: string; serverCert: X509Certificate }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, ca: serverCA.certPem, ...client, agent: false }, (res) => {
      let body = '';
      const serverCert = new X509Certificate((res.socket as import('node:tls').TLSSocket).getPeerCertificate().raw);
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ body, serverCert }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('client certificate chains', () => {
  let server: Server;
  let stop: () => void;
  let port: number;
  const roots = [new X509Certificate(trusted.certPem)];

  beforeAll(async () => {
    const serving = issueCertificate(serverCA, { commonName: 'localhost', ipAddresses: ['127.0.0.1'], usage: 'server' });
    ({ server, stopReloading: stop } = createTlsServer(writeServing(mkdtempSync(join(tmpdir(), 'tls-')), serving), (req, res) => {
      const peer = peerCertificate(req);
      res.end(peer ? String(chainsTo(peer, roots)) : 'no certificate');
    }, log));
    port = await listen(server);
  });

  afterAll(async () => {
    stop();
    await new Promise((resolve) => server.close(resolve));
  });

  const as = (pair: KeyPair) => get(port, { cert: pair.certPem, key: pair.keyPem }).then((r) => r.body);

  test('no certificate is not an error at the TLS layer', async () => {
    expect((await get(port)).body).toBe('no certificate');
  });

  test('a client certificate from the trusted CA chains; one from another CA does not', async () => {
    expect(await as(issueCertificate(trusted, { commonName: 'alice', usage: 'client' }))).toBe('true');
    expect(await as(issueCertificate(other, { commonName: 'alice', usage: 'client' }))).toBe('false');
  });

  test('a certificate only for serving, or expired, is refused', async () => {
    expect(await as(issueCertificate(trusted, { commonName: 'web', usage: 'server' }))).toBe('false');
    expect(await as(issueCertificate(trusted, { commonName: 'old', usage: 'client', days: -1 }))).toBe('false');
  });

  test('intermediates the client sends are followed to the trusted root, never trusted themselves', async () => {
    const intermediate = intermediateCA(trusted, 'intermediate');
    const leaf = issueCertificate(intermediate, { commonName: 'bob', usage: 'client' });
    expect(await as({ certPem: leaf.certPem + intermediate.certPem, keyPem: leaf.keyPem })).toBe('true');
    // Without the intermediate there is no path to the root.
    expect(await as(leaf)).toBe('false');
    // An intermediate under an untrusted root leads nowhere, whatever the client sends.
    const rogueIntermediate = intermediateCA(other, 'intermediate');
    const rogueLeaf = issueCertificate(rogueIntermediate, { commonName: 'bob', usage: 'client' });
    expect(await as({ certPem: rogueLeaf.certPem + rogueIntermediate.certPem, keyPem: rogueLeaf.keyPem })).toBe('false');
  });
});

test('TLS 1.2 offers only forward-secret AEAD suites: the CBC suites with SHA-1 are refused', async () => {
  const serving = issueCertificate(serverCA, { commonName: 'localhost', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const { server, stopReloading } = createTlsServer(writeServing(mkdtempSync(join(tmpdir(), 'tls-ciphers-')), serving), (_req, res) => res.end('ok'), log);
  try {
    const port = await listen(server);
    for (const ciphers of ['AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'AES256-SHA', 'ECDHE-RSA-AES256-SHA']) {
      await expect(get(port, { ciphers, maxVersion: 'TLSv1.2' })).rejects.toThrow(/handshake failure|no ciphers|sslv3 alert/i);
    }
    expect((await get(port, { ciphers: 'ECDHE-RSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' })).body).toBe('ok');
    expect((await get(port)).body).toBe('ok');
  } finally {
    stopReloading();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('rotated serving certificate files are picked up without a restart; a half-rotated pair is waited out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tls-reload-'));
  const first = issueCertificate(serverCA, { commonName: 'first', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const files = writeServing(dir, first);
  const { server, stopReloading } = createTlsServer(files, (_req, res) => res.end('ok'), log, 50);
  try {
    const port = await listen(server);
    expect((await get(port)).serverCert.subject).toBe('CN=first');
    const second = issueCertificate(serverCA, { commonName: 'second', ipAddresses: ['127.0.0.1'], usage: 'server' });
    // The certificate lands before its key: the old pair keeps serving meanwhile.
    writeFileSync(files.certFile, second.certPem);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await get(port)).serverCert.subject).toBe('CN=first');
    writeFileSync(files.keyFile, second.keyPem);
    const deadline = Date.now() + 3000;
    let subject = '';
    while (Date.now() < deadline && subject !== 'CN=second') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      subject = (await get(port)).serverCert.subject;
    }
    expect(subject).toBe('CN=second');
  } finally {
    stopReloading();
    await new Promise((resolve) => server.close(resolve));
  }
});
