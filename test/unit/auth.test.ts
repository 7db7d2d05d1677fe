// The pieces of delegated authentication that need no network: reading the trust ConfigMap's data,
// the decision cache, the order and group rules of the union, and the cluster-mode flags.
import type { IncomingMessage } from 'node:http';
import { StatusError, unauthorized } from '../../src/api/errors.js';
import { parseAuthenticationTrust } from '../../src/auth/trust.js';
import { TtlCache } from '../../src/auth/ttl-cache.js';
import type { Authenticator, UserInfo } from '../../src/auth/types.js';
import { UnionAuthenticator } from '../../src/auth/union.js';
import { parseConfig, type Config } from '../../src/config.js';
import { createCertificateAuthority } from '../../src/tls/certificates.js';

describe('the extension-apiserver-authentication data', () => {
  const ca = createCertificateAuthority('front-proxy-ca').certPem;

  test('JSON string arrays, the literal null, and absent keys', () => {
    const trust = parseAuthenticationTrust({
      'requestheader-client-ca-file': ca + ca,
      'requestheader-allowed-names': '["front-proxy-client"]',
      'requestheader-username-headers': '["X-Remote-User"]',
      'requestheader-group-headers': '["X-Remote-Group"]',
      'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
      'requestheader-uid-headers': 'null',
    });
    expect(trust.clientCA).toBeUndefined();
    expect(trust.requestHeader).toMatchObject({ allowedNames: ['front-proxy-client'], uidHeaders: [], usernameHeaders: ['X-Remote-User'] });
    expect(trust.requestHeader?.roots).toHaveLength(2);
  });

  test('an empty allowed-names list means any certificate from the CA; no requestheader CA means no front proxy', () => {
    expect(parseAuthenticationTrust({ 'requestheader-client-ca-file': ca, 'requestheader-allowed-names': '[]' }).requestHeader?.allowedNames).toEqual([]);
    expect(parseAuthenticationTrust({ 'client-ca-file': ca }).requestHeader).toBeUndefined();
  });

  test('unreadable values are errors (the watcher then keeps the last good trust)', () => {
    expect(() => parseAuthenticationTrust({ 'client-ca-file': 'garbage' })).toThrow('client-ca-file holds no PEM certificate');
    expect(() => parseAuthenticationTrust({ 'requestheader-client-ca-file': ca, 'requestheader-allowed-names': '"x"' })).toThrow('must be a JSON array of strings');
  });
});

test('the TTL cache forgets expired entries and drops the oldest when full', () => {
  let now = 0;
  const cache = new TtlCache<string>(2, () => now);
  cache.set('a', 'A', 100);
  cache.set('b', 'B', 10);
  now = 50;
  expect([cache.get('a'), cache.get('b')]).toEqual(['A', undefined]);
  cache.set('c', 'C', 100);
  cache.set('d', 'D', 100);
  expect([cache.get('a'), cache.get('c'), cache.get('d'), cache.size]).toEqual([undefined, 'C', 'D', 2]);
});

describe('the union of authenticators', () => {
  const request = {} as IncomingMessage;
  const returns = (user: UserInfo | undefined): Authenticator => ({ authenticate: async () => user });
  const rejects: Authenticator = {
    authenticate: async () => {
      throw unauthorized();
    },
  };
  const alice: UserInfo = { name: 'alice', groups: ['devs'], extra: {} };

  test('the first that knows the caller wins, and adds system:authenticated once', async () => {
    const union = new UnionAuthenticator([returns(undefined), returns(alice), returns({ ...alice, name: 'bob' })]);
    expect(await union.authenticate(request)).toEqual({ ...alice, groups: ['devs', 'system:authenticated'] });
    const already = new UnionAuthenticator([returns({ ...alice, groups: ['system:authenticated'] })]);
    expect((await already.authenticate(request))?.groups).toEqual(['system:authenticated']);
  });

  test('credentials one authenticator rejects do not stop another from recognising the caller', async () => {
    expect((await new UnionAuthenticator([rejects, returns(alice)]).authenticate(request))?.name).toBe('alice');
  });

  test('nobody: undefined without credentials, the rejection when some were bad', async () => {
    expect(await new UnionAuthenticator([returns(undefined)]).authenticate(request)).toBeUndefined();
    await expect(new UnionAuthenticator([rejects, returns(undefined)]).authenticate(request)).rejects.toBeInstanceOf(StatusError);
  });
});

describe('cluster-mode flags', () => {
  const parse = (args: string[]) => parseConfig(args, {}) as Config;

  test('defaults like k8s.io/apiserver and client-go leader election', () => {
    const config = parse([]);
    expect(config.kubeconfig).toBeUndefined();
    expect([config.tokenCacheTtlMs, config.authorizedCacheTtlMs, config.unauthorizedCacheTtlMs]).toEqual([10_000, 10_000, 10_000]);
    expect(config.leaderElection).toEqual({ enabled: true, leaseName: 'aws-service-apiserver', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
  });

  test('values are checked', () => {
    expect(parse(['--kubeconfig', '/k', '--leader-elect=false']).leaderElection.enabled).toBe(false);
    expect(() => parse(['--leader-elect', 'maybe'])).toThrow('--leader-elect must be true or false');
    expect(() => parse(['--leader-elect-renew-deadline', '20'])).toThrow('retry-period < --leader-elect-renew-deadline < --leader-elect-lease-duration');
  });
});
