// Client-certificate authentication (k8s.io/apiserver x509 authenticator): a certificate that chains
// to the cluster's client CA names the user in its CN and the groups in its O attributes.
import type { IncomingMessage } from 'node:http';
import type { X509Certificate } from 'node:crypto';
import type { Authenticator, UserInfo } from './types.js';
import { chainsTo, peerCertificate, subjectValues } from './x509-chain.js';

export class ClientCertificateAuthenticator implements Authenticator {
  /** `roots` is read per request: the client CA can be rotated at any time. */
  constructor(private readonly roots: () => X509Certificate[] | undefined) {}

  async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const roots = this.roots();
    const peer = peerCertificate(req);
    if (!roots || !peer || !chainsTo(peer, roots)) return undefined;
    const [name] = subjectValues(peer, 'CN');
    if (!name) return undefined;
    return { name, groups: subjectValues(peer, 'O'), extra: {} };
  }
}
