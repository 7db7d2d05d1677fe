// The change-event queue's long poll (20 s) is longer than the timeout of one attempt of any other AWS
// call. Cut at that timeout, a poll would fail and be retried again and again, and SQS would hand the
// messages that arrive meanwhile to the dropped connection: hidden from the next poll for the queue's
// visibility timeout. Here one attempt may take 2 s, so a cut poll would show within seconds.
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startEnvironment, type TestEnvironment } from '../support/environment.js';
import { eventually } from '../support/eventually.js';

const QUEUE = 'aws-service-apiserver-events-long-poll';
const ATTEMPT_TIMEOUT_SECONDS = 2;
let env: TestEnvironment;

const metrics = async () => (await env.request('/metrics')).body;
const polls = async () => Number((await metrics()).match(/^change_events_last_poll_timestamp_seconds (\S+)$/m)?.[1] ?? 0);

beforeAll(async () => {
  env = await startEnvironment({ clusterName: 'longpoll', extraArgs: ['--change-events', 'true', '--change-events-queue', QUEUE, '--aws-call-timeout', String(ATTEMPT_TIMEOUT_SECONDS)] });
  await eventually('the change-event queue to exist', async () => (await env.aws.client(SQSClient).send(new GetQueueUrlCommand({ QueueName: QUEUE })).catch(() => undefined)) !== undefined);
});

afterAll(async () => {
  await env?.stop();
});

test('a long poll of an empty queue runs its full 20 s, not cut at the per-attempt timeout, and a message sent meanwhile is received', async () => {
  // Past the SDK's four cut attempts (4 × 2 s) and their backoff, well before the poll's 20 s.
  await new Promise((resolve) => setTimeout(resolve, 4 * ATTEMPT_TIMEOUT_SECONDS * 1000 + 4000));
  expect(env.server.logs()).not.toContain('receiving change events failed');
  expect(await polls()).toBe(0);
  const url = (await env.aws.client(SQSClient).send(new GetQueueUrlCommand({ QueueName: QUEUE }))).QueueUrl as string;
  await env.aws.client(SQSClient).send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'not an event' }));
  const received = async () => Number((await metrics()).match(/^change_events_received_total\{type="other"\} (\S+)$/m)?.[1] ?? 0);
  await eventually('the message to be received by the poll under way', async () => (await received()) === 1);
});
