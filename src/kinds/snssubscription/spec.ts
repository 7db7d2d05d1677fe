// The SNSSubscription spec in canonical form. The topic, and for protocol sqs the queue, may be named by
// object (the original operator's way) or by ARN; once resolved the spec holds both (see
// registry/references.ts). Settings are explicit, so rendered and desired specs compare equal.
import { fieldError, type FieldError } from '../../api/errors.js';

export type Protocol = 'sqs' | 'http' | 'https' | 'email' | 'email-json' | 'sms' | 'application' | 'lambda' | 'firehose';
export const PROTOCOLS: Protocol[] = ['sqs', 'http', 'https', 'email', 'email-json', 'sms', 'application', 'lambda', 'firehose'];

export interface SNSSubscriptionSpec {
  topicName?: string;
  topicARN?: string;
  protocol: Protocol;
  endpoint: string;
  /** For protocol sqs: the ARN of the queue `endpoint` names. */
  queueARN?: string;
  rawMessageDelivery: boolean;
  filterPolicy?: Record<string, unknown>;
  filterPolicyScope?: 'MessageAttributes' | 'MessageBody';
  deadLetterQueue?: { name?: string; arn?: string };
  subscriptionRoleArn?: string;
}

/** A schema-valid spec as it arrives in a request. */
type Loose = Record<string, unknown>;

/** Kept from the spec as given (when set); everything else is rebuilt, which drops ignored fields. */
const PASSED_THROUGH = ['topicName', 'topicARN', 'protocol', 'endpoint', 'queueARN', 'deadLetterQueue', 'subscriptionRoleArn'] as const;

export function canonicalSpec(spec: Loose): SNSSubscriptionSpec {
  // queueARN is the server's resolution of an sqs endpoint; with another protocol it means nothing.
  const passed = spec.protocol === 'sqs' ? PASSED_THROUGH : PASSED_THROUGH.filter((key) => key !== 'queueARN');
  const kept = Object.fromEntries(passed.filter((key) => spec[key] !== undefined).map((key) => [key, spec[key]]));
  const filter = spec.filterPolicy !== undefined ? { filterPolicy: spec.filterPolicy as Loose, filterPolicyScope: (spec.filterPolicyScope as SNSSubscriptionSpec['filterPolicyScope'] | undefined) ?? 'MessageAttributes' } : {};
  // The schema requires protocol and endpoint; the other kept fields are optional strings and objects.
  return { ...(kept as Pick<SNSSubscriptionSpec, 'protocol' | 'endpoint'>), rawMessageDelivery: (spec.rawMessageDelivery as boolean | undefined) ?? false, ...filter };
}

/** Rules the schema cannot say. */
export function validateSpec(spec: SNSSubscriptionSpec): FieldError[] {
  const errors: FieldError[] = [];
  if (spec.topicName === undefined && spec.topicARN === undefined) {
    errors.push(fieldError('FieldValueRequired', 'spec.topicName', 'name the SNSTopic object (topicName) or give the topic\'s ARN (topicARN)'));
  }
  if (spec.rawMessageDelivery && !['sqs', 'http', 'https', 'firehose'].includes(spec.protocol)) {
    errors.push(fieldError('FieldValueForbidden', 'spec.rawMessageDelivery', 'raw delivery exists for sqs, http, https and firehose subscriptions only'));
  }
  if (spec.protocol === 'firehose' && !spec.subscriptionRoleArn) {
    errors.push(fieldError('FieldValueRequired', 'spec.subscriptionRoleArn', 'firehose subscriptions need a role SNS can assume'));
  }
  const dlq = spec.deadLetterQueue;
  if (dlq && dlq.name === undefined && dlq.arn === undefined) errors.push(fieldError('FieldValueRequired', 'spec.deadLetterQueue.name', 'name an SQSQueue object or give a queue ARN'));
  return errors;
}
