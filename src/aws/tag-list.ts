// Most AWS APIs pass tags as a list of {Key, Value}; the registry works with a plain record.

export interface TagPair {
  Key?: string;
  Value?: string;
}

export function toTagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function fromTagList(list: TagPair[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key as string, t.Value ?? '']));
}
