// The account map and namespace annotations (aws/accounts/mapping.ts), and assumed-role credentials
// cached and renewed before they expire (aws/accounts/credentials.ts), against a counting fake STS.
import { assumedRoleCredentials, externalIdOf, RENEW_BEFORE_MS } from '../../src/aws/accounts/credentials.js';
import { chooseAccount, parseAccountMapping, REGION_ANNOTATION, ROLE_ANNOTATION } from '../../src/aws/accounts/mapping.js';
import { AccountDirectory } from '../../src/aws/accounts/directory.js';
import { AwsClients } from '../../src/aws/clients.js';
import { createLogger } from '../../src/log.js';

const ROLE_A = 'arn:aws:iam::111111111111:role/team-a';
const ROLE_A2 = 'arn:aws:iam::111111111111:role/team-a-readonly';
const ROLE_B = 'arn:aws:iam::222222222222:role/team-b';
const mapping = parseAccountMapping(JSON.stringify({ namespaces: { 'team-a': { roleArn: ROLE_A, allowedRoles: [ROLE_A2], region: 'eu-west-1' }, 'team-b': { allowedRoles: [ROLE_B] } } }));

describe('chooseAccount', () => {
  test('the mapping gives defaults; unmapped namespaces use the server identity and region', () => {
    expect(chooseAccount(mapping, 'team-a', {}, 'us-east-1')).toEqual({ roleArn: ROLE_A, region: 'eu-west-1' });
    expect(chooseAccount(mapping, 'team-b', {}, 'us-east-1')).toEqual({ region: 'us-east-1' });
    expect(chooseAccount(mapping, 'other', { [REGION_ANNOTATION]: 'ap-south-1' }, 'us-east-1')).toEqual({ region: 'ap-south-1' });
  });

  test('an annotation may choose only a role the mapping allows the namespace', () => {
    expect(chooseAccount(mapping, 'team-a', { [ROLE_ANNOTATION]: ROLE_A2 }, 'us-east-1')).toEqual({ roleArn: ROLE_A2, region: 'eu-west-1' });
    expect(chooseAccount(mapping, 'team-b', { [ROLE_ANNOTATION]: ROLE_B, [REGION_ANNOTATION]: 'us-west-2' }, 'us-east-1')).toEqual({ roleArn: ROLE_B, region: 'us-west-2' });
    expect(chooseAccount(mapping, 'team-b', { [ROLE_ANNOTATION]: ROLE_A }, 'us-east-1')).toEqual({ refused: expect.stringContaining('does not allow namespace "team-b"') });
    expect(chooseAccount(mapping, 'unmapped', { [ROLE_ANNOTATION]: ROLE_A }, 'us-east-1')).toEqual({ refused: expect.stringContaining(ROLE_A) });
    expect(chooseAccount(mapping, 'team-a', { [REGION_ANNOTATION]: 'mars' }, 'us-east-1')).toEqual({ refused: expect.stringContaining('not an AWS region') });
  });

  test.each([
    ['not JSON', '{', 'not JSON'],
    ['a bad role', JSON.stringify({ namespaces: { a: { roleArn: 'team-a' } } }), 'roleArn must be an IAM role ARN'],
    ['an unknown field', JSON.stringify({ namespaces: { a: { role: ROLE_A } } }), 'unknown fields role'],
    ['a bad region', JSON.stringify({ namespaces: { a: { region: 'EU' } } }), 'region must be an AWS region'],
  ])('a mapping with %s is refused at start', (_case, text, words) => {
    expect(() => parseAccountMapping(text)).toThrow(words);
  });
});

describe('assumedRoleCredentials', () => {
  function fakeSts(answer: () => Promise<unknown>) {
    const sent: { input: Record<string, unknown> }[] = [];
    const base = { client: () => ({ send: async (command: { input: Record<string, unknown> }) => (sent.push(command), answer()) }) } as unknown as AwsClients;
    return { base, sent };
  }
  const session = { roleArn: ROLE_A, clusterName: 'prod', namespace: 'team-a' };

  test('assumes once with an external id naming cluster and namespace, then renews before expiry', async () => {
    let now = 0;
    const { base, sent } = fakeSts(async () => ({ Credentials: { AccessKeyId: `k${sent.length}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(now + 3_600_000) } }));
    const provider = assumedRoleCredentials(base, session, () => now);
    const [first, second] = await Promise.all([provider(), provider()]);
    expect(sent).toHaveLength(1);
    expect(second).toBe(first);
    expect(sent[0].input).toMatchObject({ RoleArn: ROLE_A, RoleSessionName: 'prod.team-a', ExternalId: externalIdOf(session) });
    now = 3_600_000 - RENEW_BEFORE_MS - 1;
    expect((await provider()).accessKeyId).toBe('k1');
    now = 3_600_000 - RENEW_BEFORE_MS + 1;
    expect((await provider()).accessKeyId).toBe('k2');
    expect(sent).toHaveLength(2);
  });

  test('a refused AssumeRole is a 403 naming role and namespace; others are a 503', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
    await expect(assumedRoleCredentials(fakeSts(() => Promise.reject(denied)).base, session)()).rejects.toMatchObject({ code: 403, message: expect.stringContaining('of namespace "team-a" cannot be assumed') });
    const down = Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' });
    await expect(assumedRoleCredentials(fakeSts(() => Promise.reject(down)).base, session)()).rejects.toMatchObject({ code: 503 });
  });
});

describe('AccountDirectory', () => {
  function directory(annotations: Record<string, Record<string, string>>) {
    let now = 0;
    let reads = 0;
    const source = {
      annotations: async (namespace: string) => (reads++, annotations[namespace]),
      list: async () => new Map(Object.entries(annotations)),
    };
    const base = new AwsClients({ region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const accounts = new AccountDirectory(base, async () => '123456789012', 'us-east-1', 'prod', mapping, source, createLogger('silent'), () => now);
    return { accounts, reads: () => reads, advance: (ms: number) => (now += ms), base };
  }

  test('namespaces share the server partition unless mapped or annotated; each role gets its own', async () => {
    const { accounts, base } = directory({ 'team-b': { [ROLE_ANNOTATION]: ROLE_B, [REGION_ANNOTATION]: 'us-west-2' } });
    await accounts.refreshAll();
    expect(accounts.partitionOf('other').clients).toBe(base);
    expect(accounts.partitionOf('team-a')).toMatchObject({ roleArn: ROLE_A, region: 'eu-west-1' });
    expect(accounts.partitionOf('team-b')).toMatchObject({ roleArn: ROLE_B, region: 'us-west-2' });
    expect(accounts.partitionOf('team-b')).toBe(accounts.partitionOf('team-b'));
    expect(accounts.inUse().map((p) => p.key).sort()).toEqual(['|us-east-1', `${ROLE_A}|eu-west-1|team-a`, `${ROLE_B}|us-west-2|team-b`].sort());
  });

  test('a refused annotation is a 403 on that namespace, read again after a few seconds', async () => {
    const annotations: Record<string, Record<string, string>> = { 'team-b': { [ROLE_ANNOTATION]: ROLE_A } };
    const { accounts, reads, advance } = directory(annotations);
    await expect(accounts.prepare('team-b')).rejects.toMatchObject({ code: 403, message: expect.stringContaining('namespace "team-b" cannot reach AWS') });
    await expect(accounts.prepare('other')).resolves.toBeUndefined();
    annotations['team-b'] = { [ROLE_ANNOTATION]: ROLE_B };
    await expect(accounts.prepare('team-b')).rejects.toMatchObject({ code: 403 });
    expect(reads()).toBe(2);
    advance(6_000);
    await expect(accounts.prepare('team-b')).resolves.toBeUndefined();
    expect(accounts.partitionOf('team-b').roleArn).toBe(ROLE_B);
  });
});
