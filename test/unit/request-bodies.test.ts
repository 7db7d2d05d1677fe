// Decoding request bodies: whatever the text, the answer is a value or a 400, never a stack overflow or
// a structure JSON cannot hold (which every later step would choke on with a 500).
import { decodeText, MAX_BODY_DEPTH } from '../../src/http/body.js';
import { parseRequestInfo } from '../../src/api/request-info.js';

const decode = (text: string, yaml = false) => decodeText(Buffer.from(text), yaml, 'decoding');
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

function expectBadRequest(action: () => unknown, message: string): void {
  expect(action).toThrow(expect.objectContaining({ code: 400, reason: 'BadRequest', message: expect.stringContaining(message) }));
}

test('JSON and YAML nested as deep as allowed decode; deeper is a 400 saying so', () => {
  expect(decode(nested(MAX_BODY_DEPTH))).toBeDefined();
  expect(decode(nested(MAX_BODY_DEPTH), true)).toBeDefined();
  expectBadRequest(() => decode(nested(10_000)), `nests deeper than ${MAX_BODY_DEPTH} levels`);
  expectBadRequest(() => decode(`{"a":${nested(MAX_BODY_DEPTH)}}`), 'nests deeper');
  expectBadRequest(() => decode(nested(10_000), true), 'nests deeper');
  expectBadRequest(() => decode(nested(200_000), true), 'nests deeper');
  const blocks = Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n');
  expectBadRequest(() => decode(blocks, true), 'nests deeper');
});

test('brackets inside strings are not nesting', () => {
  expect(decode(JSON.stringify({ text: '['.repeat(500), quote: 'a\\"[[[' }))).toEqual({ text: '['.repeat(500), quote: 'a\\"[[[' });
});

test('YAML aliases that contain themselves are a 400; ordinary aliases expand', () => {
  expectBadRequest(() => decode('a: &loop [*loop]', true), 'contain themselves');
  expectBadRequest(() => decode('&top {self: *top}', true), 'contain themselves');
  expect(decode('base: &b {x: 1}\ncopy: *b', true)).toEqual({ base: { x: 1 }, copy: { x: 1 } });
});

test('a malformed %-escape in the path is a 400, not an exception', () => {
  expect(() => parseRequestInfo('GET', '/apis/service-operator.aws/v1alpha1/namespaces/%zz/dynamodbs', new URLSearchParams())).toThrow(
    expect.objectContaining({ code: 400, message: expect.stringContaining('invalid URL escape') }),
  );
});
