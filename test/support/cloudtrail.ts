// CloudTrail-shaped events for moto, which has EventBridge and SQS but emits no CloudTrail events:
// tests and the benchmark make a change directly in moto, then report the call on the default event
// bus as CloudTrail would ("AWS API Call via CloudTrail"), and the server's rule delivers it to its queue.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { AwsClients } from '../../src/aws/clients.js';

/** Puts the event of one call (`UpdateTable` of service `dynamodb`, say) on the default bus. */
export async function reportCall(aws: AwsClients, service: string, call: string, requestParameters: Record<string, unknown>): Promise<void> {
  const detail = {
    eventVersion: '1.08',
    eventSource: `${service}.amazonaws.com`,
    eventName: call,
    eventTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    awsRegion: 'us-east-1',
    requestParameters,
    responseElements: null,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
  };
  const result = await aws.client(EventBridgeClient).send(new PutEventsCommand({ Entries: [{ Source: `aws.${service}`, DetailType: 'AWS API Call via CloudTrail', Detail: JSON.stringify(detail) }] }));
  if (result.FailedEntryCount) throw new Error(`EventBridge refused the event: ${JSON.stringify(result.Entries)}`);
}
