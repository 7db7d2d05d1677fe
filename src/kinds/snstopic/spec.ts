// The SNSTopic spec in canonical form: every setting explicit (booleans false, empty texts omitted), so
// the spec rendered from AWS and a desired spec compare equal exactly when AWS needs no change.
import { fieldError, type FieldError } from '../../api/errors.js';

export interface SNSTopicSpec {
  topicName?: string;
  displayName?: string;
  fifoTopic: boolean;
  contentBasedDeduplication: boolean;
  kmsMasterKeyId?: string;
  policy?: Record<string, unknown>;
  deliveryPolicy?: Record<string, unknown>;
}

/** A schema-valid spec as it arrives in a request. */
type Loose = Record<string, unknown>;

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const FIFO_TOPIC_NAME = /^[A-Za-z0-9_-]{1,251}\.fifo$/;

function nonEmpty(value: unknown): string | undefined {
  return value === '' ? undefined : (value as string | undefined);
}

/** Every default filled in; on update an omitted topic name keeps the one AWS has (a defaulted name, say). */
export function canonicalSpec(spec: Loose, current?: SNSTopicSpec): SNSTopicSpec {
  const topicName = (spec.topicName as string | undefined) ?? current?.topicName;
  const displayName = nonEmpty(spec.displayName);
  const kmsMasterKeyId = nonEmpty(spec.kmsMasterKeyId);
  return {
    ...(topicName !== undefined ? { topicName } : {}),
    ...(displayName !== undefined ? { displayName } : {}),
    ...(kmsMasterKeyId !== undefined ? { kmsMasterKeyId } : {}),
    fifoTopic: (spec.fifoTopic as boolean | undefined) ?? topicName?.endsWith('.fifo') ?? false,
    contentBasedDeduplication: (spec.contentBasedDeduplication as boolean | undefined) ?? false,
    ...(spec.policy !== undefined ? { policy: spec.policy as Loose } : {}),
    ...(spec.deliveryPolicy !== undefined ? { deliveryPolicy: spec.deliveryPolicy as Loose } : {}),
  };
}

/** AWS's naming rules and the FIFO rules. */
export function validateSpec(spec: SNSTopicSpec): FieldError[] {
  const errors: FieldError[] = [];
  const name = spec.topicName;
  if (name !== undefined) {
    if (spec.fifoTopic && !FIFO_TOPIC_NAME.test(name)) {
      errors.push(fieldError('FieldValueInvalid', 'spec.topicName', 'a FIFO topic name is 1 to 251 letters, digits, "-" or "_" followed by ".fifo"', name));
    }
    if (!spec.fifoTopic && !TOPIC_NAME.test(name)) {
      errors.push(fieldError('FieldValueInvalid', 'spec.topicName', 'a topic name is 1 to 256 letters, digits, "-" or "_" (only FIFO topic names end in ".fifo")', name));
    }
  }
  if (spec.contentBasedDeduplication && !spec.fifoTopic) {
    errors.push(fieldError('FieldValueForbidden', 'spec.contentBasedDeduplication', 'only FIFO topics (fifoTopic: true) deduplicate'));
  }
  return errors;
}
