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

type Loose = Record<string, unknown>;

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const FIFO_TOPIC_NAME = /^[A-Za-z0-9_-]{1,251}\.fifo$/;

function nonEmpty(value: unknown): unknown {
  return value === '' ? undefined : value;
}

/** Defaults; on update an omitted topic name keeps the one AWS has (a defaulted name, say). */
export function defaultSpec(spec: Loose, current?: Loose): Loose {
  const topicName = (spec.topicName ?? current?.topicName) as string | undefined;
  return {
    ...spec,
    ...(topicName !== undefined ? { topicName } : {}),
    fifoTopic: spec.fifoTopic ?? topicName?.endsWith('.fifo') ?? false,
    contentBasedDeduplication: spec.contentBasedDeduplication ?? false,
  };
}

export function canonicalSpec(input: Loose): Loose {
  const spec = defaultSpec(input);
  const optional = { topicName: spec.topicName, displayName: nonEmpty(spec.displayName), kmsMasterKeyId: nonEmpty(spec.kmsMasterKeyId) };
  return {
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
    fifoTopic: spec.fifoTopic,
    contentBasedDeduplication: spec.contentBasedDeduplication,
    ...(spec.policy !== undefined ? { policy: spec.policy } : {}),
    ...(spec.deliveryPolicy !== undefined ? { deliveryPolicy: spec.deliveryPolicy } : {}),
    ...(spec.tags !== undefined ? { tags: spec.tags } : {}),
  };
}

/** AWS's naming rules and the FIFO rules. `spec` is canonical. */
export function validateSpec(loose: Loose): FieldError[] {
  const spec = loose as unknown as SNSTopicSpec;
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
