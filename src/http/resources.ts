// The REST verbs under /apis/service-operator.aws/v1alpha1, for every kind: parse the request, call
// the kind's store, answer in the negotiated shape. No kind-specific code lives here.
import type { Request, Response } from 'express';
import { badRequest, StatusError } from '../api/errors.js';
import { negotiate, type Negotiated } from '../api/negotiation.js';
import { patchTypeOf, type PatchType } from '../api/patch.js';
import type { RequestInfo } from '../api/request-info.js';
import { parseFieldSelector, parseLabelSelector } from '../api/selectors.js';
import { partialObjectMetadata, toTable, type IncludeObject } from '../api/table.js';
import { GROUP_VERSION, type KubeObject } from '../api/types.js';
import type { Logger } from '../log.js';
import { parseResourceVersion } from '../registry/resource-version.js';
import type { KindStore, ListQuery } from '../registry/store.js';
import { decodeText, readBody, readDeleteOptions, readObjectBody } from './body.js';
import { booleanOf, dryRunOf, fieldManagerOf, fieldValidationOf, integerOf } from './query.js';
import { addWarnings, sendBody } from './respond.js';
import { serveWatch } from './watch-stream.js';

export interface ResourceDeps {
  stores: Map<string, KindStore>;
  log: Logger;
  bookmarkIntervalMs: number;
}

export function pathNotFound(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource');
}

function includeObjectOf(query: URLSearchParams): IncludeObject {
  const value = query.get('includeObject') ?? 'Metadata';
  if (value === 'None' || value === 'Metadata' || value === 'Object') return value;
  throw badRequest(`includeObject ${JSON.stringify(value)} is invalid: valid values are None, Metadata and Object`);
}

function listQuery(info: RequestInfo, query: URLSearchParams): ListQuery {
  return {
    ...(info.namespace ? { namespace: info.namespace } : {}),
    labelSelector: parseLabelSelector(query.get('labelSelector')),
    fieldSelector: parseFieldSelector(query.get('fieldSelector')),
  };
}

/** One object in the negotiated shape. */
function shaped(store: KindStore, object: KubeObject, negotiated: Negotiated, query: URLSearchParams): unknown {
  if (negotiated.shape === 'partial') return partialObjectMetadata(object.metadata);
  if (negotiated.shape === 'table') {
    return toTable([object], store.kind.columns, { include: includeObjectOf(query), resourceVersion: object.metadata.resourceVersion, headers: true });
  }
  return object;
}

function checkListOptions(query: URLSearchParams, watch: boolean): void {
  const rvMatch = query.get('resourceVersionMatch');
  if (rvMatch && !query.get('resourceVersion') && !watch) {
    throw new StatusError(422, 'Invalid', 'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided', {
      causes: [{ reason: 'FieldValueForbidden', message: 'resourceVersionMatch is forbidden unless resourceVersion is provided', field: 'resourceVersionMatch' }],
    });
  }
  if (query.has('sendInitialEvents') && !watch) {
    throw new StatusError(422, 'Invalid', 'sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list', {
      causes: [{ reason: 'FieldValueForbidden', message: 'sendInitialEvents is forbidden for list', field: 'sendInitialEvents' }],
    });
  }
  if (watch && booleanOf(query, 'sendInitialEvents') && rvMatch !== 'NotOlderThan') {
    throw new StatusError(422, 'Invalid', "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan", {
      causes: [{ reason: 'FieldValueForbidden', message: 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan', field: 'resourceVersionMatch' }],
    });
  }
}

function list(req: Request, res: Response, store: KindStore, info: RequestInfo, query: URLSearchParams): void {
  const negotiated = negotiate(req.headers.accept, true);
  checkListOptions(query, false);
  const page = store.list(listQuery(info, query), integerOf(query, 'limit') ?? 0, query.get('continue') || undefined);
  const metadata = {
    resourceVersion: page.resourceVersion,
    ...(page.continue ? { continue: page.continue, remainingItemCount: page.remainingItemCount } : {}),
  };
  let body: unknown;
  if (negotiated.shape === 'table') {
    body = toTable(page.items, store.kind.columns, { include: includeObjectOf(query), resourceVersion: page.resourceVersion, continue: page.continue, headers: true });
  } else if (negotiated.shape === 'partial') {
    body = { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items: page.items.map((o) => partialObjectMetadata(o.metadata)) };
  } else {
    body = { apiVersion: GROUP_VERSION, kind: `${store.kind.names.kind}List`, metadata, items: page.items };
  }
  sendBody(res, 200, body, negotiated.mediaType);
}

function watch(req: Request, res: Response, store: KindStore, info: RequestInfo, query: URLSearchParams, deps: ResourceDeps): void {
  const negotiated = negotiate(req.headers.accept, false);
  checkListOptions(query, true);
  const resourceVersion = query.get('resourceVersion');
  if (resourceVersion && resourceVersion !== '0' && parseResourceVersion(resourceVersion) === undefined) {
    throw badRequest(`invalid resource version: ${JSON.stringify(resourceVersion)}`);
  }
  const timeoutSeconds = integerOf(query, 'timeoutSeconds');
  serveWatch(
    req,
    res,
    store,
    { ...listQuery(info, query), resourceVersion: query.get('resourceVersion') ?? undefined, sendInitialEvents: booleanOf(query, 'sendInitialEvents') },
    {
      shape: negotiated.shape,
      include: includeObjectOf(query),
      ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
      allowBookmarks: booleanOf(query, 'allowWatchBookmarks'),
      bookmarkIntervalMs: deps.bookmarkIntervalMs,
    },
  );
}

async function readPatch(req: Request): Promise<{ type: ReturnType<typeof patchTypeOf>; patch: unknown }> {
  const type = patchTypeOf(req.headers['content-type']);
  return { type, patch: decodeText(await readBody(req), type === 'apply', 'error decoding patch') };
}

function forbiddenOption(field: string, message: string, detail: string): StatusError {
  return new StatusError(422, 'Invalid', `${field}: ${message}: ${detail}`, { causes: [{ reason: message === 'Required value' ? 'FieldValueRequired' : 'FieldValueForbidden', message: detail, field }] });
}

/** force belongs to apply patches only, and apply patches must name their field manager. */
function checkPatchOptions(type: PatchType, query: URLSearchParams): void {
  if (type !== 'apply' && booleanOf(query, 'force')) throw forbiddenOption('force', 'Forbidden', 'may not be specified for non-apply patch');
  if (type === 'apply' && !query.get('fieldManager')) throw forbiddenOption('fieldManager', 'Required value', 'is required for apply patch');
}

/** kube-apiserver's default field manager: the User-Agent's product, e.g. "kubectl" from "kubectl/v1.32". */
function managerFromUserAgent(userAgent: string | undefined): string {
  const product = (userAgent ?? '').split('/')[0].trim();
  return product.slice(0, 128) || 'unknown';
}

function deleteOptionsOf(body: Record<string, unknown>, query: URLSearchParams) {
  const preconditions = (body.preconditions ?? {}) as { uid?: string; resourceVersion?: string };
  return { dryRun: dryRunOf(query, body.dryRun), preconditions };
}

async function dispatch(req: Request, res: Response, info: RequestInfo, deps: ResourceDeps): Promise<void> {
  const store = deps.stores.get(info.resource);
  if (!store || info.subresource || info.apiVersion !== 'v1alpha1') throw pathNotFound();
  const query = new URL(req.originalUrl, 'https://localhost').searchParams;
  if (!info.namespace && !['list', 'watch'].includes(info.verb)) throw pathNotFound();
  const write = () => ({
    dryRun: dryRunOf(query),
    fieldValidation: fieldValidationOf(query),
    fieldManager: fieldManagerOf(query) ?? managerFromUserAgent(req.headers['user-agent']),
    force: booleanOf(query, 'force'),
  });
  const { namespace, name } = info;
  switch (info.verb) {
    case 'list':
      return list(req, res, store, info, query);
    case 'watch':
      return watch(req, res, store, info, query, deps);
    case 'get': {
      const negotiated = negotiate(req.headers.accept, false);
      return sendBody(res, 200, shaped(store, await store.get(namespace, name), negotiated, query), negotiated.mediaType);
    }
    case 'create': {
      if (name) throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      const negotiated = negotiate(req.headers.accept, false);
      const result = await store.create(namespace, await readObjectBody(req), write());
      addWarnings(res, result.warnings);
      return sendBody(res, 201, shaped(store, result.object, negotiated, query), negotiated.mediaType);
    }
    case 'update': {
      const negotiated = negotiate(req.headers.accept, false);
      const result = await store.update(namespace, name, await readObjectBody(req), write());
      addWarnings(res, result.warnings);
      return sendBody(res, 200, shaped(store, result.object, negotiated, query), negotiated.mediaType);
    }
    case 'patch': {
      const negotiated = negotiate(req.headers.accept, false);
      const { type, patch } = await readPatch(req);
      checkPatchOptions(type, query);
      const result = await store.patch(namespace, name, type, patch, write());
      addWarnings(res, result.warnings);
      return sendBody(res, result.created ? 201 : 200, shaped(store, result.object, negotiated, query), negotiated.mediaType);
    }
    case 'delete': {
      const negotiated = negotiate(req.headers.accept, false);
      const result = await store.delete(namespace, name, deleteOptionsOf(await readDeleteOptions(req), query));
      return sendBody(res, 200, result.object ? shaped(store, result.object, negotiated, query) : result.status, negotiated.mediaType);
    }
    case 'deletecollection': {
      const negotiated = negotiate(req.headers.accept, true);
      const deleted = await store.deleteCollection(listQuery(info, query), deleteOptionsOf(await readDeleteOptions(req), query));
      return sendBody(res, 200, { apiVersion: GROUP_VERSION, kind: `${store.kind.names.kind}List`, metadata: {}, items: deleted }, negotiated.mediaType);
    }
    default:
      throw new StatusError(405, 'MethodNotAllowed', `${info.verb} is not supported on resources of kind "${info.resource}.service-operator.aws"`);
  }
}

export function resourceRequest(deps: ResourceDeps) {
  return (req: Request, res: Response, info: RequestInfo): Promise<void> => dispatch(req, res, info, deps);
}

