import { joinPolicy, managedSid, splitPolicy, withManaged } from '../../src/aws/policy-statements.js';
import { topicsAllowed } from '../../src/aws/sqs.js';

const user = { Version: '2012-10-17', Statement: [{ Sid: 'mine', Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage' }] };
const managed = { Sid: managedSid('Sns1234'), Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:r:1:t' } } };

describe('policies shared between the user and the server', () => {
  test('a policy without managed statements is all the user\'s, and is written back as is', () => {
    expect(splitPolicy(JSON.stringify(user))).toEqual({ user, managed: [] });
    expect(joinPolicy({ user, managed: [] })).toBe(JSON.stringify(user));
    expect(splitPolicy(undefined)).toEqual({ managed: [] });
    expect(joinPolicy({ managed: [] })).toBe('');
  });

  test('managed statements are kept apart from the user\'s and joined back after them', () => {
    const text = joinPolicy({ user, managed: [managed] });
    expect((JSON.parse(text) as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid)).toEqual(['mine', managed.Sid]);
    expect(splitPolicy(text)).toEqual({ user, managed: [managed] });
    expect(topicsAllowed(splitPolicy(text))).toEqual(['arn:aws:sns:r:1:t']);
  });

  test('a policy of managed statements only has no user part; a single Statement object is understood', () => {
    expect(splitPolicy(JSON.stringify({ Version: '2012-10-17', Statement: [managed] }))).toEqual({ managed: [managed] });
    expect(splitPolicy(JSON.stringify({ Statement: user.Statement[0] })).user).toEqual({ Statement: user.Statement[0] });
  });

  test('withManaged replaces the named managed statements only', () => {
    const other = { ...managed, Sid: managedSid('Other') };
    expect(withManaged({ user, managed: [managed, other] }, [managed.Sid], [])).toEqual({ user, managed: [other] });
  });
});
