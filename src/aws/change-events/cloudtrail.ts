// What an "AWS API Call via CloudTrail" event, as EventBridge delivers it to SQS, says changed: the
// service, the call, when, and every identifier it names (names, ARNs, URLs in its request
// parameters, response elements and resources). Which of those are our objects is the registry's
// business (change-feed.ts): this only reads the event, tolerating any shape, since the queue can hold
// anything anybody sent to it.
import { isPlainObject } from '../../api/types.js';

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

export interface ChangeEvent {
  /** The EventBridge event id (duplicates of one delivery share it). */
  id: string;
  /** CloudTrail's eventSource, e.g. `dynamodb.amazonaws.com`. */
  source: string;
  /** The API call, e.g. `UpdateTable`. */
  name: string;
  /** When the call was made (epoch ms; CloudTrail gives whole seconds). */
  time: number;
  /** Strings the call names: table names, ARNs, queue URLs... */
  identifiers: string[];
}

/** The EventBridge source of a service's CloudTrail events (`aws.dynamodb`) and CloudTrail's eventSource. */
export const eventBridgeSource = (service: string): string => `aws.${service}`;
export const cloudTrailSource = (service: string): string => `${service}.amazonaws.com`;

const MAX_IDENTIFIERS = 100;
const MAX_IDENTIFIER_LENGTH = 2048;
const MAX_DEPTH = 4;

/** Every string in a JSON value, breadth first, bounded in number, length and depth. */
function strings(value: unknown, found: Set<string>, depth = 0): void {
  if (found.size >= MAX_IDENTIFIERS || depth > MAX_DEPTH) return;
  if (typeof value === 'string') {
    if (value && value.length <= MAX_IDENTIFIER_LENGTH) found.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) strings(item, found, depth + 1);
  } else if (isPlainObject(value)) {
    for (const item of Object.values(value)) strings(item, found, depth + 1);
  }
}

/**
 * The change an SQS message body reports, or undefined when it is not a CloudTrail API call event
 * (a test message, another rule's event) or reports a read-only call.
 */
export function parseChangeEvent(body: string): ChangeEvent | undefined {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isPlainObject(event) || event['detail-type'] !== CLOUDTRAIL_DETAIL_TYPE || !isPlainObject(event.detail)) return undefined;
  const detail = event.detail;
  if (typeof detail.eventSource !== 'string' || typeof detail.eventName !== 'string' || detail.readOnly === true) return undefined;
  // A failed call changed nothing.
  if (detail.errorCode !== undefined && detail.errorCode !== null) return undefined;
  const time = Date.parse(typeof detail.eventTime === 'string' ? detail.eventTime : typeof event.time === 'string' ? event.time : '');
  const found = new Set<string>();
  strings([detail.requestParameters, detail.responseElements, detail.resources, event.resources], found);
  return { id: typeof event.id === 'string' ? event.id : '', source: detail.eventSource, name: detail.eventName, time: Number.isNaN(time) ? Date.now() : time, identifiers: [...found] };
}

/**
 * The forms one identifier can take in another call's words: itself; for an ARN its resource part,
 * that part without its type (`table/orders` → `orders`) and its last segment; for a URL (a queue's)
 * its last path segment. Two identifiers sharing a form may name the same resource: at worst that
 * costs one needless re-read.
 */
export function identifierForms(identifier: string): string[] {
  const forms = new Set([identifier]);
  if (identifier.startsWith('arn:')) {
    const resource = identifier.split(':').slice(5).join(':');
    if (resource) {
      forms.add(resource);
      const typed = resource.match(/^[a-z-]+[/:](.+)$/);
      if (typed) forms.add(typed[1]);
      forms.add(resource.slice(Math.max(resource.lastIndexOf('/'), resource.lastIndexOf(':')) + 1));
    }
  } else if (/^https?:\/\//.test(identifier)) {
    const path = identifier.replace(/^https?:\/\/[^/]+/, '').replace(/\/+$/, '');
    forms.add(path.slice(path.lastIndexOf('/') + 1));
  }
  forms.delete('');
  return [...forms];
}

/** Calls that can make a resource ours that the server does not know yet (created or tagged out of band). */
export function mayIntroduce(eventName: string): boolean {
  return /^(Create|Subscribe|Restore|Import|Copy|PutParameter)/.test(eventName) || /tag/i.test(eventName);
}
