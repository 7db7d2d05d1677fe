// The quick start's serving certificate: a local CA and a certificate for localhost/127.0.0.1/::1,
// kept under certs/local/ and reused while they have a month left.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificateAuthority, daysLeft, issueCertificate } from './certificates.js';

export interface ServingFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

export function ensureLocalServingCertificate(directory: string): ServingFiles {
  const files = { certFile: join(directory, 'serving.crt'), keyFile: join(directory, 'serving.key'), caFile: join(directory, 'ca.crt') };
  const fresh = Object.values(files).every(existsSync) && daysLeft(readFileSync(files.certFile, 'utf8')) > 30;
  if (fresh) return files;
  mkdirSync(directory, { recursive: true });
  const ca = createCertificateAuthority('aws-service-apiserver local CA');
  const serving = issueCertificate(ca, { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'], usage: 'server' });
  writeFileSync(files.caFile, ca.certPem);
  writeFileSync(files.certFile, serving.certPem);
  writeFileSync(files.keyFile, serving.keyPem, { mode: 0o600 });
  return files;
}
