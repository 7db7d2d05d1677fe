import type { KubeObject } from '../../src/api/types.js';
import { Paginator } from '../../src/registry/pagination.js';

const objects = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ apiVersion: 'v', kind: 'K', metadata: { name } }));
const names = (items: KubeObject[]) => items.map((o) => o.metadata.name);

describe('limit/continue', () => {
  test('pages through a consistent snapshot with the first page\'s resourceVersion', () => {
    const paginator = new Paginator();
    const first = paginator.first(objects, '42', 2);
    expect(names(first.items)).toEqual(['a', 'b']);
    expect(first.remainingItemCount).toBe(3);
    const second = paginator.next(first.continue as string, 2);
    expect(names(second.items)).toEqual(['c', 'd']);
    const last = paginator.next(second.continue as string, 2);
    expect(names(last.items)).toEqual(['e']);
    expect(last.continue).toBeUndefined();
    expect([first, second, last].map((p) => p.resourceVersion)).toEqual(['42', '42', '42']);
  });

  test('no limit returns everything; an expired token is 410, a garbled one 400', () => {
    const paginator = new Paginator(-1);
    expect(names(paginator.first(objects, '1', 0).items)).toHaveLength(5);
    const page = paginator.first(objects, '1', 1);
    expect(() => paginator.next(page.continue as string, 1)).toThrow(expect.objectContaining({ code: 410 }));
    expect(() => paginator.next('%%%', 1)).toThrow(expect.objectContaining({ code: 400 }));
  });

  test('holds a bounded number of unfinished lists, dropping the oldest', () => {
    const paginator = new Paginator(60_000, 2);
    const [oldest, middle, newest] = [1, 2, 3].map(() => paginator.first(objects, '1', 1).continue as string);
    expect(() => paginator.next(oldest, 1)).toThrow(expect.objectContaining({ code: 410 }));
    expect(names(paginator.next(middle, 1).items)).toEqual(['b']);
    expect(names(paginator.next(newest, 1).items)).toEqual(['b']);
  });
});
