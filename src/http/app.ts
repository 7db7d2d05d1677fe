// The express application: health, metrics, discovery, OpenAPI and the resource verbs, behind
// authentication and authorization. Every error leaves as a metav1.Status.
import express, { type NextFunction, type Request, type Response } from 'express';
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, coreAggregatedDiscovery, coreApiVersions, coreResourceList, kindsGroup, type DiscoveredGroup } from '../api/discovery.js';
import { badRequest, serviceUnavailable, StatusError, unauthorized } from '../api/errors.js';
import { acceptsJson, aggregatedDiscoveryVersion } from '../api/negotiation.js';
import type { OpenApiDocuments } from '../api/openapi/documents.js';
import { servedDocument, type ServedDocument } from '../api/served-document.js';
import { parseRequestInfo, type RequestInfo } from '../api/request-info.js';
import { GROUP, GROUP_VERSION } from '../api/types.js';
import { HEALTH_PATH } from '../auth/always-allowed.js';
import { forbiddenError } from '../auth/forbidden.js';
import type { Authenticator, Authorizer, UserInfo } from '../auth/types.js';
import type { Logger } from '../log.js';
import type { KindStore } from '../registry/store.js';
import type { Metrics } from './metrics.js';
import { pathNotFound, resourceRequest } from './resources.js';
import { queryOf } from './query.js';
import { sendBody, sendError } from './respond.js';
import { SELF_REVIEW_GROUPS, serveSelfReviews } from './self-reviews.js';
import type { WatchStreams } from './watch-stream.js';

export interface AppDeps {
  stores: Map<string, KindStore>;
  openapi: OpenApiDocuments;
  authenticator: Authenticator;
  authorizer: Authorizer;
  metrics: Metrics;
  log: Logger;
  /** Why /readyz fails now (e.g. the first enumeration of AWS has not filled the view), or undefined. */
  notReady: () => string | undefined;
  /** Why resource requests are refused (503) now (a replica that is not the leader), or undefined. */
  notServing: () => string | undefined;
  /** Why a kind's view (by plural) is not filled yet (its lists and watches wait for its first read of AWS), or undefined. */
  viewNotFilled: (plural: string) => string | undefined;
  version: { gitVersion: string };
  bookmarkIntervalMs: number;
  /** Serve SelfSubjectAccessReview, SelfSubjectRulesReview and SelfSubjectReview (local mode: no kube-apiserver does). */
  selfReviews: boolean;
  /** This server's open watch streams. */
  watches: WatchStreams;
  /** Runs a request's work under the request deadline for AWS calls. */
  withinDeadline: <T>(task: () => Promise<T>) => Promise<T>;
  /** Before a request in a namespace: its AWS account is known, or refused (aws/accounts/). */
  prepareNamespace: (namespace: string) => Promise<void>;
}

interface Locals {
  user: UserInfo;
  info: RequestInfo;
}

const RESOURCE_PREFIX = `/apis/${GROUP_VERSION}/`;

/** 304 when the client already has this document; otherwise the document with its ETag. */
function sendDocument(req: Request, res: Response, document: ServedDocument, contentType: string): void {
  const etag = `"${document.hash}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Vary', 'Accept');
  if (req.headers['if-none-match'] === etag) {
    res.status(304).end();
    return;
  }
  res.status(200).type(contentType).send(document.json);
}

/**
 * kubectl downloads OpenAPI v2 (as protobuf) only to validate kinds the v3 document lacks, i.e. kinds
 * of other groups; it prints this while validating such an object.
 */
const OPENAPI_V2_JSON_ONLY =
  `this server offers OpenAPI v2 as application/json only. It serves the API group ${GROUP} and nothing else: ` +
  'objects of other groups (a v1 Service or ConfigMap, an apps/v1 Deployment...) need a Kubernetes cluster with aws-service-apiserver registered. ' +
  'Apply only the service-operator.aws objects here (kubectl apply --validate=false names each kind it cannot map)';

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const handleResource = resourceRequest({ stores: deps.stores, log: deps.log, bookmarkIntervalMs: deps.bookmarkIntervalMs, watches: deps.watches, viewNotFilled: deps.viewNotFilled, withinDeadline: deps.withinDeadline, authorizer: deps.authorizer, prepareNamespace: deps.prepareNamespace });
  const groups: DiscoveredGroup[] = [kindsGroup([...deps.stores.values()].map((s) => s.kind.names)), ...(deps.selfReviews ? SELF_REVIEW_GROUPS : [])];
  const aggregated = {
    v2: servedDocument(aggregatedDiscovery(groups, 'apidiscovery.k8s.io/v2')),
    v2beta1: servedDocument(aggregatedDiscovery(groups, 'apidiscovery.k8s.io/v2beta1')),
  };

  app.get(HEALTH_PATH, (req, res) => {
    const why = req.path.startsWith('/readyz') ? deps.notReady() : undefined;
    res.status(why ? 503 : 200).type('text/plain').send(why ? `not ready: ${why}` : 'ok');
  });

  // Metrics for every other request; authentication and authorization.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    let info: RequestInfo | undefined;
    res.on('finish', () => {
      const labels = { verb: info?.verb ?? 'unknown', resource: info?.resource ?? '' };
      deps.metrics.requests.inc({ ...labels, code: String(res.statusCode) });
      if (labels.verb !== 'watch') deps.metrics.latency.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    (async () => {
      info = parseRequestInfo(req.method, req.path, queryOf(req.originalUrl));
      const user = await deps.authenticator.authenticate(req);
      if (!user) throw unauthorized();
      const decision = await deps.authorizer.authorize(user, info);
      if (!decision.allowed) throw forbiddenError(user, info, decision.reason);
      (res.locals as Locals).user = user;
      (res.locals as Locals).info = info;
    })().then(() => next(), (error: unknown) => sendError(res, error, deps.log));
  });

  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.get('/version', (_req, res) => sendBody(res, 200, { major: '1', minor: '0', platform: `${process.platform}/${process.arch}`, ...deps.version }));
  app.get('/api', (req, res) => {
    const version = aggregatedDiscoveryVersion(req.headers.accept);
    if (version) {
      res.status(200).type(`application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`).send(JSON.stringify(coreAggregatedDiscovery(`apidiscovery.k8s.io/${version}`)));
      return;
    }
    sendBody(res, 200, coreApiVersions(req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`));
  });
  app.get('/api/v1', (_req, res) => sendBody(res, 200, coreResourceList()));
  app.get('/apis', (req, res) => {
    const version = aggregatedDiscoveryVersion(req.headers.accept);
    if (!version) return sendBody(res, 200, apiGroupList(groups));
    sendDocument(req, res, aggregated[version], `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`);
  });
  for (const group of groups) {
    app.get(`/apis/${group.group}`, (_req, res) => sendBody(res, 200, apiGroup(group)));
    app.get(`/apis/${group.group}/${group.version}`, (_req, res) => sendBody(res, 200, apiResourceList(group)));
  }
  if (deps.selfReviews) serveSelfReviews(app, { authorizer: deps.authorizer, log: deps.log, user: (res) => (res.locals as Locals).user });
  // JSON only: a protobuf-only Accept (client-go's OpenAPI v2 download) gets 406 rather than JSON it
  // would fail to parse as protobuf. The reason is plain text because client-go shows a 406's text
  // body as the error (it cannot decode a JSON Status it did not ask for).
  app.get('/openapi/v2', (req, res) => {
    if (acceptsJson(req.headers.accept)) return sendDocument(req, res, deps.openapi.v2, 'application/json');
    res.status(406).type('text/plain').send(OPENAPI_V2_JSON_ONLY);
  });
  app.get('/openapi/v3', (req, res) => sendDocument(req, res, deps.openapi.v3Root, 'application/json'));
  app.get(deps.openapi.v3Path, (req, res) => {
    const document = deps.openapi.v3GroupVersion;
    // A hashed URL that matches may be cached forever; a stale hash still gets the current document
    // (no redirect: kube-aggregator turns redirects into 502s).
    if (req.query.hash === document.hash) {
      res.setHeader('Cache-Control', 'public, immutable');
      res.setHeader('Expires', new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString());
    }
    sendDocument(req, res, document, 'application/json');
  });

  app.use((req: Request, res: Response) => {
    const { info, user } = res.locals as Locals;
    const notServing = deps.notServing();
    const work = !req.path.startsWith(RESOURCE_PREFIX)
      ? Promise.reject(pathNotFound())
      : notServing
        ? Promise.reject(serviceUnavailable(notServing, 1))
        : handleResource(req, res, info, user);
    work.catch((error: unknown) => sendError(res, error, deps.log));
  });
  // Whatever express itself throws (it should not) still leaves as a Status, never as its HTML page.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => sendError(res, clientErrorOf(error) ?? error, deps.log));
  return app;
}

/** Errors express raises for a bad request carry a 4xx `status`. */
function clientErrorOf(error: unknown): StatusError | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? badRequest(error instanceof Error ? error.message : 'bad request') : undefined;
}
