// A document served with an ETag: built once, hashed once (upper-case hex SHA-512, as kube-openapi).
import { createHash } from 'node:crypto';

export interface ServedDocument {
  json: string;
  hash: string;
}

export function servedDocument(document: object): ServedDocument {
  const json = JSON.stringify(document);
  return { json, hash: createHash('sha512').update(json).digest('hex').toUpperCase() };
}
