// Where an SNS subscription's Kubernetes metadata lives. SNS subscriptions cannot be tagged, so each
// SNSSubscription object has an SSM parameter of its own (aws/parameters.ts): its name is derived from
// the object's identity, its tags are what a taggable resource would carry. Its value is the
// subscription ARN; before the subscription is made, it is the subscription the create intends (so a
// create stopped half way is found, by a retry or the resync, with what it had made).
import type { ObjectIdentity } from '../../registry/kind.js';

export const PARAMETER_PREFIX = '/service-operator.aws/snssubscriptions/';

/** `/service-operator.aws/snssubscriptions/<cluster>/<namespace>/<name>`: one per object, never shared. */
export function parameterName(identity: ObjectIdentity): string {
  return `${PARAMETER_PREFIX}${identity.clusterName}/${identity.namespace}/${identity.name}`;
}

export const PARAMETER_DESCRIPTION = 'Kubernetes metadata of an SNSSubscription object (service-operator.aws); SNS subscriptions cannot be tagged.';

/** What a create writes into the parameter before it subscribes: the subscription it will make. */
export interface IntendedSubscription {
  topicArn: string;
  protocol: string;
  endpoint: string;
  /** The queues whose policies the create lets the topic send to (taken back if it is abandoned). */
  queues: string[];
}

const INTENT_PREFIX = 'intends:';

export function intentValue(intent: IntendedSubscription): string {
  return `${INTENT_PREFIX}${JSON.stringify(intent)}`;
}

/** The subscription a parameter says a create intends; undefined when it holds a subscription ARN. */
export function intentOf(value: string): IntendedSubscription | undefined {
  if (!value.startsWith(INTENT_PREFIX)) return undefined;
  try {
    return JSON.parse(value.slice(INTENT_PREFIX.length)) as IntendedSubscription;
  } catch {
    return undefined;
  }
}
