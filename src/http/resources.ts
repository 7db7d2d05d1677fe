// The REST verbs under /apis/service-operator.aws/v1alpha1, for every kind: parse the request, call
// the kind's store, answer in the negotiated shape. No kind-specific code lives here.
import type { Request, Response } from 'express';
import { badRequest, methodNotAllowed, StatusError, tooManyRequests } from '../api/errors.js';
import { negotiate, type Negotiated } from '../api/negotiation.js';
import { patchTypeOf, type PatchType } from '../api/patch.js';
import type { RequestInfo } from '../api/request-info.js';
import { parseFieldSelector, parseLabelSelector } from '../api/selectors.js';
import { partialObjectMetadata, toTable, type IncludeObject } from '../api/table.js';
import { GROUP, GROUP_VERSION, type KubeObject, type ListMeta } from '../api/types.js';
import { forbiddenError } from '../auth/forbidden.js';
import type { Authorizer, UserInfo } from '../auth/types.js';
import type { Logger } from '../log.js';
import type { KindStore } from '../registry/store.js';
import type { ListQuery, WriteOptions } from '../registry/store-types.js';
import { decodeText, readBody, readDeleteOptions, readObjectBody } from './body.js';
import { parseListOptions } from './list-options.js';
import { deleteQueryOf, queryOf, writeQueryOf, type WriteQuery } from './query.js';
import { addWarnings, sendBody } from './respond.js';
import type { WatchStreams } from './watch-stream.js';

export interface ResourceDeps {
  stores: Map<string, KindStore>;
  log: Logger;
  bookmarkIntervalMs: number;
  watches: WatchStreams;
  /** Why a kind's view (by plural) is not filled by its first read of the AWS account yet, or undefined once it is. */
  viewNotFilled: (plural: string) => string | undefined;
  /** Decides the extra `adopt` verb (registry/adoption.ts) for the caller. */
  authorizer: Authorizer;
  /** Before a request in a namespace: its AWS account is known (aws/accounts/), or refused with a 403. */
  prepareNamespace: (namespace: string) => Promise<void>;
  /** Runs a request's work under the request deadline for AWS calls. */
  withinDeadline: <T>(task: () => Promise<T>) => Promise<T>;
}

/** Verbs served from the view, which until the first read of AWS would answer an empty or partial list. */
const FROM_VIEW = new Set(['list', 'watch', 'deletecollection']);

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

/** A collection in the negotiated shape: the kind's List, a Table, or a PartialObjectMetadataList. */
function collection(store: KindStore, items: KubeObject[], metadata: ListMeta, negotiated: Negotiated, query: URLSearchParams): unknown {
  if (negotiated.shape === 'table') {
    return toTable(items, store.kind.columns, { include: includeObjectOf(query), resourceVersion: metadata.resourceVersion, continue: metadata.continue, headers: true });
  }
  if (negotiated.shape === 'partial') return { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items: items.map((o) => partialObjectMetadata(o.metadata)) };
  return { apiVersion: GROUP_VERSION, kind: `${store.kind.names.kind}List`, metadata, items };
}

function list(req: Request, res: Response, store: KindStore, info: RequestInfo, query: URLSearchParams): void {
  const negotiated = negotiate(req.headers.accept, true);
  const options = parseListOptions(query, false);
  const page = store.list(listQuery(info, query), options);
  const metadata = {
    resourceVersion: page.resourceVersion,
    ...(page.continue ? { continue: page.continue, remainingItemCount: page.remainingItemCount } : {}),
  };
  sendBody(res, 200, collection(store, page.items, metadata, negotiated, query), negotiated.mediaType);
}

function watch(req: Request, res: Response, store: KindStore, info: RequestInfo, query: URLSearchParams, deps: ResourceDeps): void {
  const negotiated = negotiate(req.headers.accept, false);
  const options = parseListOptions(query, true);
  deps.watches.serve(
    req,
    res,
    store,
    {
      ...listQuery(info, query),
      ...(options.resourceVersion !== undefined ? { resourceVersion: options.resourceVersion } : {}),
      ...(options.sendInitialEvents !== undefined ? { sendInitialEvents: options.sendInitialEvents } : {}),
      allowBookmarks: options.allowWatchBookmarks,
    },
    {
      shape: negotiated.shape,
      include: includeObjectOf(query),
      ...(options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {}),
      bookmarkIntervalMs: deps.bookmarkIntervalMs,
    },
  );
}

async function readPatch(req: Request, query: URLSearchParams): Promise<{ type: PatchType; patch: unknown; options: WriteQuery }> {
  const type = patchTypeOf(req.headers['content-type']);
  const raw = await readBody(req);
  // As kube-apiserver: the media type, then the body's size, then the options, then the body itself.
  const options = writeQueryOf('PatchOptions', query, type);
  return { type, patch: decodeText(raw, type === 'apply', 'error decoding patch'), options };
}

/** kube-apiserver's default field manager: the User-Agent's product, e.g. "kubectl" from "kubectl/v1.32". */
function managerFromUserAgent(userAgent: string | undefined): string {
  const product = (userAgent ?? '').split('/')[0].trim();
  return product.slice(0, 128) || 'unknown';
}

/** A write's options, with kube-apiserver's default field manager and the `adopt` check an adopting create makes. */
function writeOptions(options: WriteQuery, req: Request, authorizeAdoption: WriteOptions['authorizeAdoption']): WriteOptions {
  return { ...options, fieldManager: options.fieldManager ?? managerFromUserAgent(req.headers['user-agent']), authorizeAdoption };
}

/** The status of our kinds is what AWS reports: it can be read, never written. */
function statusNotWritable(info: RequestInfo): StatusError {
  return methodNotAllowed(`${info.verb} is not supported on resources of kind "${info.resource}/status.${GROUP}": the status is read from AWS; write spec instead`, `${info.resource}/status`);
}

/** A SubjectAccessReview of the custom verb `adopt` on the object, as the request's user. */
function adoptionAuthorizer(deps: ResourceDeps, user: UserInfo, info: RequestInfo) {
  return async (namespace: string, name: string): Promise<void> => {
    const adopt: RequestInfo = { ...info, verb: 'adopt', namespace, name, subresource: '' };
    const decision = await deps.authorizer.authorize(user, adopt);
    if (!decision.allowed) throw forbiddenError(user, adopt, decision.reason);
  };
}

async function dispatch(req: Request, res: Response, info: RequestInfo, user: UserInfo, deps: ResourceDeps): Promise<void> {
  const store = deps.stores.get(info.resource);
  if (!store || info.apiVersion !== 'v1alpha1') throw pathNotFound();
  if (info.subresource && (info.subresource !== 'status' || !info.name)) throw pathNotFound();
  const query = queryOf(req.originalUrl);
  if (!info.namespace && !['list', 'watch'].includes(info.verb)) throw pathNotFound();
  if (info.subresource === 'status' && info.verb !== 'get') throw statusNotWritable(info);
  if (info.namespace) await deps.prepareNamespace(info.namespace);
  // As kube-apiserver's watch cache does while it fills: clients back off and retry.
  const notFilled = FROM_VIEW.has(info.verb) ? deps.viewNotFilled(info.resource) : undefined;
  if (notFilled) throw tooManyRequests(`storage is (re)initializing: ${notFilled}`, 1);
  // Every query parameter is checked before anything is done: a write must not happen for a request
  // refused only when its answer is shaped (the write options are checked with the body, below).
  includeObjectOf(query);
  const authorizeAdoption = adoptionAuthorizer(deps, user, info);
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
      // As for a custom resource, a name on the URL of a POST is not looked at: the body names the object.
      const negotiated = negotiate(req.headers.accept, false);
      const body = await readObjectBody(req, () => writeQueryOf('CreateOptions', query));
      const result = await store.create(namespace, body.object, writeOptions(body.options, req, authorizeAdoption));
      addWarnings(res, result.warnings);
      return sendBody(res, 201, shaped(store, result.object, negotiated, query), negotiated.mediaType);
    }
    case 'update': {
      const negotiated = negotiate(req.headers.accept, false);
      const body = await readObjectBody(req, () => writeQueryOf('UpdateOptions', query));
      const result = await store.update(namespace, name, body.object, writeOptions(body.options, req, authorizeAdoption));
      addWarnings(res, result.warnings);
      return sendBody(res, 200, shaped(store, result.object, negotiated, query), negotiated.mediaType);
    }
    case 'patch': {
      const negotiated = negotiate(req.headers.accept, false);
      const { type, patch, options } = await readPatch(req, query);
      const result = await store.patch(namespace, name, type, patch, writeOptions(options, req, authorizeAdoption));
      addWarnings(res, result.warnings);
      return sendBody(res, result.created ? 201 : 200, shaped(store, result.object, negotiated, query), negotiated.mediaType);
    }
    case 'delete': {
      const negotiated = negotiate(req.headers.accept, false);
      const result = await store.delete(namespace, name, deleteQueryOf(await readDeleteOptions(req), query));
      return sendBody(res, 200, result.object ? shaped(store, result.object, negotiated, query) : result.status, negotiated.mediaType);
    }
    case 'deletecollection': {
      const negotiated = negotiate(req.headers.accept, true);
      const deleted = await store.deleteCollection(listQuery(info, query), deleteQueryOf(await readDeleteOptions(req), query));
      return sendBody(res, 200, collection(store, deleted, {}, negotiated, query), negotiated.mediaType);
    }
    default:
      throw new StatusError(405, 'MethodNotAllowed', `${info.verb} is not supported on resources of kind "${info.resource}.service-operator.aws"`);
  }
}

export function resourceRequest(deps: ResourceDeps) {
  return (req: Request, res: Response, info: RequestInfo, user: UserInfo): Promise<void> => deps.withinDeadline(() => dispatch(req, res, info, user, deps));
}

