// Reading Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf), which typed
// clients such as kubectl's send for built-in kinds: the "k8s\0" envelope around a runtime.Unknown
// whose `raw` field is the object's own protobuf encoding. Only reading, only the wire format:
// the caller says which fields (by number) it wants, as strings or nested messages.
import { badRequest } from './errors.js';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

/** Field number to JSON name; a nested schema reads a message field into an object. */
export interface MessageSchema {
  [field: number]: string | [string, MessageSchema];
}

interface Reader {
  buffer: Buffer;
  at: number;
}

function varint(reader: Reader): number {
  let value = 0;
  for (let shift = 0; shift < 64; shift += 7) {
    if (reader.at >= reader.buffer.length) throw badRequest('invalid protobuf body: truncated varint');
    const byte = reader.buffer[reader.at++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return value;
  }
  throw badRequest('invalid protobuf body: varint too long');
}

/** The length-delimited fields of one message, by number (repeated ones in order); others skipped. */
function fields(message: Buffer): Map<number, Buffer[]> {
  const found = new Map<number, Buffer[]>();
  const reader: Reader = { buffer: message, at: 0 };
  while (reader.at < message.length) {
    const key = varint(reader);
    const field = Math.floor(key / 8);
    switch (key % 8) {
      case 0:
        varint(reader);
        break;
      case 1:
        reader.at += 8;
        break;
      case 5:
        reader.at += 4;
        break;
      case 2: {
        const length = varint(reader);
        if (reader.at + length > message.length) throw badRequest('invalid protobuf body: field longer than the message');
        found.set(field, [...(found.get(field) ?? []), message.subarray(reader.at, reader.at + length)]);
        reader.at += length;
        break;
      }
      default:
        throw badRequest(`invalid protobuf body: unsupported wire type ${key % 8}`);
    }
  }
  if (reader.at > message.length) throw badRequest('invalid protobuf body: truncated field');
  return found;
}

/** The fields `schema` names, as JSON would carry them (the last occurrence of a field wins). */
export function readMessage(message: Buffer, schema: MessageSchema): Record<string, unknown> {
  const present = fields(message);
  const object: Record<string, unknown> = {};
  for (const [number, spec] of Object.entries(schema) as [string, MessageSchema[number]][]) {
    const value = present.get(Number(number))?.at(-1);
    if (value === undefined) continue;
    object[typeof spec === 'string' ? spec : spec[0]] = typeof spec === 'string' ? value.toString('utf8') : readMessage(value, spec[1]);
  }
  return object;
}

/** An object from its Kubernetes protobuf envelope: apiVersion and kind, plus what `schema` names. */
export function decodeKubernetesProtobuf(body: Buffer, schema: MessageSchema): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) throw badRequest('invalid protobuf body: it does not start with the Kubernetes "k8s\\0" prefix');
  const unknown = readMessage(body.subarray(MAGIC.length), { 1: ['typeMeta', { 1: 'apiVersion', 2: 'kind' }] });
  const raw = fields(body.subarray(MAGIC.length)).get(2)?.at(-1) ?? Buffer.alloc(0);
  return { ...(unknown.typeMeta as Record<string, unknown> | undefined), ...readMessage(raw, schema) };
}
