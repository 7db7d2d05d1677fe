// The flags of change-driven drift detection and the call budget: defaults, and bad values refused at start.
import { parseConfig, type Config } from '../../src/config.js';

const parse = (args: string[]) => parseConfig(args, {}) as Config;

test('change events are off by default; the resync is then the 30 s one, and the budget 6,000 calls a minute', () => {
  const config = parse([]);
  expect(config.changeEvents).toEqual({ enabled: false, queueName: 'aws-service-apiserver-local', setup: true });
  expect(config.resyncPeriodMs).toBe(30_000);
  expect(config.awsCallBudget).toBe(6000);
});

test('with change events the resync becomes a 30 min safety net, unless the period is given', () => {
  expect(parse(['--change-events', 'true', '--cluster-name', 'prod']).resyncPeriodMs).toBe(1_800_000);
  expect(parse(['--change-events', 'true', '--cluster-name', 'prod']).changeEvents.queueName).toBe('aws-service-apiserver-prod');
  expect(parse(['--change-events', 'true', '--resync-period', '120']).resyncPeriodMs).toBe(120_000);
  expect(parse(['--change-events', 'true', '--change-events-setup', 'false', '--change-events-queue', 'shared_changes']).changeEvents).toEqual({ enabled: true, queueName: 'shared_changes', setup: false });
});

test.each([
  [['--aws-call-budget', '-1'], /--aws-call-budget/],
  [['--aws-call-budget', 'lots'], /--aws-call-budget/],
  [['--change-events', 'yes'], /--change-events must be true or false/],
  [['--change-events-queue', 'no spaces'], /--change-events-queue/],
  [['--change-events-queue', 'q'.repeat(81)], /--change-events-queue/],
])('%j is refused', (args, message) => {
  expect(() => parseConfig(args, {})).toThrow(message);
});

test('no budget at all is allowed: 0', () => {
  expect(parse(['--aws-call-budget', '0']).awsCallBudget).toBe(0);
});
