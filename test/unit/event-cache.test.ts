import type { KubeObject } from '../../src/api/types.js';
import { EncodedEvents } from '../../src/http/event-cache.js';

const object = (name: string): KubeObject => ({ apiVersion: 'v', kind: 'K', metadata: { name } });

describe('encoded watch events', () => {
  test('one encoding per object and variant, shared by every watcher', () => {
    const cache = new EncodedEvents();
    const a = object('a');
    let encodings = 0;
    const encode = () => `${++encodings}`;
    const lines = Array.from({ length: 1000 }, () => cache.line(a, 'MODIFIED object', encode));
    expect(new Set(lines)).toEqual(new Set(['1']));
    expect(cache.line(a, 'MODIFIED partial', encode)).toBe('2');
    expect(cache.line(object('a'), 'MODIFIED object', encode)).toBe('3');
  });

  test('keeps only the most recent objects', () => {
    const cache = new EncodedEvents(2);
    const [a, b, c] = ['a', 'b', 'c'].map(object);
    let encodings = 0;
    const encode = () => `${++encodings}`;
    [a, b, c].forEach((o) => cache.line(o, 'ADDED object', encode));
    expect(cache.line(c, 'ADDED object', encode)).toBe('3');
    expect(cache.line(a, 'ADDED object', encode)).toBe('4');
  });
});
