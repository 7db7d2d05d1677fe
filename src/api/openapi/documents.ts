// The served OpenAPI documents, built once at start (kinds do not change at run time), with the
// content hashes kube-openapi uses for ETags and the v3 `?hash=` URLs.
import type { ResourceDocument } from '../resource.js';
import { servedDocument, type ServedDocument } from '../served-document.js';
import { GROUP, VERSION } from '../types.js';
import { buildModel } from './model.js';
import { openApiV2 } from './v2.js';
import { openApiV3 } from './v3.js';

export interface OpenApiDocuments {
  v2: ServedDocument;
  v3GroupVersion: ServedDocument;
  v3Root: ServedDocument;
  v3Path: string;
}

export function buildOpenApiDocuments(kinds: ResourceDocument[]): OpenApiDocuments {
  const model = buildModel(kinds);
  const v3GroupVersion = servedDocument(openApiV3(model));
  const key = `apis/${GROUP}/${VERSION}`;
  // The root lists only our group-version: kube-aggregator merges roots and routes by these keys.
  const v3Root = servedDocument({ paths: { [key]: { serverRelativeURL: `/openapi/v3/${key}?hash=${v3GroupVersion.hash}` } } });
  return { v2: servedDocument(openApiV2(model)), v3GroupVersion, v3Root, v3Path: `/openapi/v3/${key}` };
}
