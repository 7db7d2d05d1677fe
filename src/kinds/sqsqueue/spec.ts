// The SQSQueue spec in canonical form: every attribute explicit with AWS's default filled in, FIFO-only
// settings present only on FIFO queues, so the spec rendered from AWS and a desired spec compare equal
// exactly when AWS needs no change.
import { fieldError, type FieldError } from '../../api/errors.js';
import type { ObjectIdentity } from '../../registry/kind.js';

export interface DeadLetterQueue {
  /** An SQSQueue object of the same namespace. */
  name?: string;
  arn?: string;
  maxReceiveCount: number;
}

export interface Encryption {
  type: 'SQS' | 'KMS' | 'None';
  kmsKeyId?: string;
  kmsDataKeyReusePeriodSeconds?: number;
}

export interface SQSQueueSpec {
  queueName?: string;
  fifoQueue: boolean;
  contentBasedDeduplication?: boolean;
  deduplicationScope?: 'messageGroup' | 'queue';
  fifoThroughputLimit?: 'perQueue' | 'perMessageGroupId';
  delaySeconds: number;
  maximumMessageSize: number;
  messageRetentionPeriod: number;
  receiveMessageWaitTimeSeconds: number;
  visibilityTimeout: number;
  usedeadletterQueue: boolean;
  deadLetterQueue?: DeadLetterQueue;
  encryption: Encryption;
  policy?: Record<string, unknown>;
}

/** A schema-valid spec as it arrives in a request. */
type Loose = Record<string, unknown>;

/** AWS's defaults for a new queue. */
export const QUEUE_DEFAULTS = {
  delaySeconds: 0,
  maximumMessageSize: 1_048_576,
  messageRetentionPeriod: 345_600,
  receiveMessageWaitTimeSeconds: 0,
  visibilityTimeout: 30,
};
/** What the original operator gave the dead-letter queue it made. */
export const DEFAULT_MAX_RECEIVE_COUNT = 5;
const DEFAULT_KMS_REUSE_SECONDS = 300;

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

function encryption(value: unknown): Encryption {
  const e = (value ?? {}) as Loose;
  const type = (e.type as Encryption['type'] | undefined) ?? 'SQS';
  // A key given with another type is kept so that validation can refuse it.
  if (type !== 'KMS') return { type, ...(e.kmsKeyId !== undefined ? { kmsKeyId: e.kmsKeyId as string } : {}) };
  return { type, ...(e.kmsKeyId !== undefined ? { kmsKeyId: e.kmsKeyId as string } : {}), kmsDataKeyReusePeriodSeconds: (e.kmsDataKeyReusePeriodSeconds as number | undefined) ?? DEFAULT_KMS_REUSE_SECONDS };
}

/**
 * The redrive settings: with usedeadletterQueue the server's own dead-letter queue (so no name or ARN);
 * otherwise the named one. A maxReceiveCount left without a target (say, after usedeadletterQueue was
 * turned off) means no redrive.
 */
function deadLetterQueue(value: unknown, own: boolean): DeadLetterQueue | undefined {
  const d = value as Loose | undefined;
  const maxReceiveCount = (d?.maxReceiveCount as number | undefined) ?? DEFAULT_MAX_RECEIVE_COUNT;
  if (own) return { ...(d?.name !== undefined ? { name: d.name as string } : {}), ...(d?.arn !== undefined ? { arn: d.arn as string } : {}), maxReceiveCount };
  if (d?.name === undefined && d?.arn === undefined) return undefined;
  return { ...(d.name !== undefined ? { name: d.name as string } : {}), ...(d.arn !== undefined ? { arn: d.arn as string } : {}), maxReceiveCount };
}

/** Every default filled in; on update an omitted queue name keeps the one AWS has (a defaulted name, say). */
export function canonicalSpec(spec: Loose, current?: SQSQueueSpec): SQSQueueSpec {
  const queueName = (spec.queueName as string | undefined) ?? current?.queueName;
  const fifo = (spec.fifoQueue as boolean | undefined) ?? queueName?.endsWith('.fifo') ?? false;
  const own = spec.usedeadletterQueue === true;
  const dlq = deadLetterQueue(spec.deadLetterQueue, own);
  const number = (key: keyof typeof QUEUE_DEFAULTS): number => (spec[key] as number | undefined) ?? QUEUE_DEFAULTS[key];
  return {
    ...(queueName !== undefined ? { queueName } : {}),
    fifoQueue: fifo,
    // Only FIFO queues deduplicate; the original operator's manifests set this on standard queues too.
    ...(fifo
      ? {
          contentBasedDeduplication: (spec.contentBasedDeduplication as boolean | undefined) ?? false,
          deduplicationScope: (spec.deduplicationScope as SQSQueueSpec['deduplicationScope']) ?? 'queue',
          fifoThroughputLimit: (spec.fifoThroughputLimit as SQSQueueSpec['fifoThroughputLimit']) ?? 'perQueue',
        }
      : {}),
    delaySeconds: number('delaySeconds'),
    maximumMessageSize: number('maximumMessageSize'),
    messageRetentionPeriod: number('messageRetentionPeriod'),
    receiveMessageWaitTimeSeconds: number('receiveMessageWaitTimeSeconds'),
    visibilityTimeout: number('visibilityTimeout'),
    usedeadletterQueue: own,
    ...(dlq ? { deadLetterQueue: dlq } : {}),
    encryption: encryption(spec.encryption),
    ...(spec.policy !== undefined ? { policy: spec.policy as Loose } : {}),
  };
}

function nameErrors(spec: SQSQueueSpec): FieldError[] {
  const name = spec.queueName;
  if (name === undefined) return [];
  if (spec.fifoQueue && !FIFO_QUEUE_NAME.test(name)) {
    return [fieldError('FieldValueInvalid', 'spec.queueName', 'a FIFO queue name is 1 to 75 letters, digits, "-" or "_" followed by ".fifo"', name)];
  }
  if (!spec.fifoQueue && !QUEUE_NAME.test(name)) {
    return [fieldError('FieldValueInvalid', 'spec.queueName', 'a queue name is 1 to 80 letters, digits, "-" or "_" (only FIFO queue names end in ".fifo")', name)];
  }
  return [];
}

function deadLetterErrors(spec: SQSQueueSpec, identity: ObjectIdentity): FieldError[] {
  const dlq = spec.deadLetterQueue;
  if (!dlq) return [];
  if (spec.usedeadletterQueue && (dlq.name !== undefined || dlq.arn !== undefined)) {
    return [fieldError('FieldValueForbidden', 'spec.deadLetterQueue', 'usedeadletterQueue makes the dead-letter queue; name or ARN one only without it')];
  }
  if (dlq.name === identity.name) return [fieldError('FieldValueInvalid', 'spec.deadLetterQueue.name', 'a queue cannot be its own dead-letter queue', dlq.name)];
  return [];
}

/** AWS's naming rules, FIFO and dead-letter rules. */
export function validateSpec(spec: SQSQueueSpec, identity: ObjectIdentity): FieldError[] {
  const errors = [...nameErrors(spec), ...deadLetterErrors(spec, identity)];
  if (spec.encryption.type !== 'KMS' && spec.encryption.kmsKeyId !== undefined) {
    errors.push(fieldError('FieldValueForbidden', 'spec.encryption.kmsKeyId', 'only with encryption type KMS'));
  }
  if (spec.encryption.type === 'KMS' && !spec.encryption.kmsKeyId) {
    errors.push(fieldError('FieldValueRequired', 'spec.encryption.kmsKeyId', 'required with encryption type KMS (e.g. "alias/aws/sqs")'));
  }
  return errors;
}
