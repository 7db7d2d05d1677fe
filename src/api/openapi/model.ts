// What the OpenAPI documents say, independent of version: the schemas of each kind and the operations on
// its paths. v2.ts and v3.ts render this model; kubectl reads the GVK extensions, the PATCH media types
// (never strategic merge) and the fieldValidation parameter from it.
import type { ResourceDocument } from '../resource.js';
import type { Schema } from '../schema.js';
import { GROUP, GROUP_VERSION, VERSION } from '../types.js';
import { META_SCHEMAS, metaRef, type DocSchema } from './meta-schemas.js';

/** `#/REF/<name>` marks a reference; each renderer rewrites it to its own location. */
export const REF = '#/REF/';
const ref = (name: string) => ({ $ref: `${REF}${name}` });

export const schemaName = (kind: string): string => `aws.service-operator.${VERSION}.${kind}`;

export const PATCH_MEDIA_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

export interface Parameter {
  name: string;
  in: 'query' | 'path';
  type: 'string' | 'boolean' | 'integer';
  description: string;
  required?: boolean;
}

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  action: string;
  operationId: string;
  description: string;
  kind: string;
  parameters: Parameter[];
  body?: { schema: string; mediaTypes: string[] };
  /** Status code → schema name. */
  responses: Record<string, string>;
}

export interface PathItem {
  path: string;
  parameters: Parameter[];
  operations: Operation[];
}

const q = (name: string, type: Parameter['type'], description: string): Parameter => ({ name, in: 'query', type, description });

const P = {
  namespace: { name: 'namespace', in: 'path', type: 'string', required: true, description: 'object name and auth scope, such as for teams and projects' } as Parameter,
  name: { name: 'name', in: 'path', type: 'string', required: true, description: 'name of the object' } as Parameter,
  pretty: q('pretty', 'string', "If 'true', then the output is pretty printed."),
  dryRun: q('dryRun', 'string', 'When present (All), the request is validated but AWS is not changed.'),
  fieldManager: q('fieldManager', 'string', 'Name of the actor making the change.'),
  fieldValidation: q('fieldValidation', 'string', 'Ignore, Warn (default) or Strict: what to do with unknown fields in the body.'),
  labelSelector: q('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels.'),
  fieldSelector: q('fieldSelector', 'string', 'A selector on metadata.name and metadata.namespace.'),
  limit: q('limit', 'integer', 'Maximum number of items to return; the rest is fetched with continue.'),
  continue: q('continue', 'string', 'Token from a previous limited list, to fetch the next page.'),
  resourceVersion: q('resourceVersion', 'string', 'Constrains which version of the collection is served, or where a watch starts.'),
  resourceVersionMatch: q('resourceVersionMatch', 'string', 'How resourceVersion applies to list calls.'),
  watch: q('watch', 'boolean', 'Watch for changes instead of listing.'),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'Send BOOKMARK events.'),
  sendInitialEvents: q('sendInitialEvents', 'boolean', 'Start a watch with the current objects, then an initial-events-end bookmark.'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'Ignored: AWS deletions have no grace period.'),
  propagationPolicy: q('propagationPolicy', 'string', 'Orphan, Background or Foreground; all behave as Background.'),
};

const LIST_PARAMS = [P.labelSelector, P.fieldSelector, P.limit, P.continue, P.resourceVersion, P.resourceVersionMatch, P.watch, P.allowWatchBookmarks, P.sendInitialEvents, P.timeoutSeconds];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];

function operationsFor(kind: ResourceDocument): PathItem[] {
  const K = kind.names.kind;
  const plural = kind.names.plural;
  const one = schemaName(K);
  const list = schemaName(`${K}List`);
  const status = metaRef('Status');
  const op = (o: Omit<Operation, 'kind'>): Operation => ({ ...o, kind: K });
  const base = `/apis/${GROUP}/${VERSION}`;
  return [
    {
      path: `${base}/namespaces/{namespace}/${plural}`,
      parameters: [P.namespace, P.pretty],
      operations: [
        op({ method: 'get', action: 'list', operationId: `listServiceOperatorAwsV1alpha1Namespaced${K}`, description: `list or watch objects of kind ${K}`, parameters: LIST_PARAMS, responses: { '200': list } }),
        op({
          method: 'post',
          action: 'post',
          operationId: `createServiceOperatorAwsV1alpha1Namespaced${K}`,
          description: `create a ${K} (and the AWS resource)`,
          parameters: WRITE_PARAMS,
          body: { schema: one, mediaTypes: ['application/json', 'application/yaml'] },
          responses: { '200': one, '201': one, '202': one },
        }),
        op({
          method: 'delete',
          action: 'deletecollection',
          operationId: `deleteServiceOperatorAwsV1alpha1CollectionNamespaced${K}`,
          description: `delete collection of ${K}`,
          parameters: [P.dryRun, P.gracePeriodSeconds, P.propagationPolicy, P.labelSelector, P.fieldSelector],
          body: { schema: metaRef('DeleteOptions'), mediaTypes: ['application/json'] },
          responses: { '200': status },
        }),
      ],
    },
    {
      path: `${base}/namespaces/{namespace}/${plural}/{name}`,
      parameters: [P.name, P.namespace, P.pretty],
      operations: [
        op({ method: 'get', action: 'get', operationId: `readServiceOperatorAwsV1alpha1Namespaced${K}`, description: `read the specified ${K} (live from AWS)`, parameters: [], responses: { '200': one } }),
        op({
          method: 'put',
          action: 'put',
          operationId: `replaceServiceOperatorAwsV1alpha1Namespaced${K}`,
          description: `replace the specified ${K}`,
          parameters: WRITE_PARAMS,
          body: { schema: one, mediaTypes: ['application/json', 'application/yaml'] },
          responses: { '200': one, '201': one },
        }),
        op({
          method: 'patch',
          action: 'patch',
          operationId: `patchServiceOperatorAwsV1alpha1Namespaced${K}`,
          description: `partially update the specified ${K}`,
          parameters: [...WRITE_PARAMS, q('force', 'boolean', 'Force apply conflicts (apply patches only).')],
          body: { schema: metaRef('Patch'), mediaTypes: PATCH_MEDIA_TYPES },
          responses: { '200': one, '201': one },
        }),
        op({
          method: 'delete',
          action: 'delete',
          operationId: `deleteServiceOperatorAwsV1alpha1Namespaced${K}`,
          description: `delete the specified ${K} (and the AWS resource, unless its deletion policy is retain)`,
          parameters: [P.dryRun, P.gracePeriodSeconds, P.propagationPolicy],
          body: { schema: metaRef('DeleteOptions'), mediaTypes: ['application/json'] },
          responses: { '200': one, '202': one },
        }),
      ],
    },
    {
      path: `${base}/${plural}`,
      parameters: [P.pretty],
      operations: [
        op({ method: 'get', action: 'list', operationId: `listServiceOperatorAwsV1alpha1${K}ForAllNamespaces`, description: `list or watch objects of kind ${K} in all namespaces`, parameters: LIST_PARAMS, responses: { '200': list } }),
      ],
    },
  ];
}

const typeMeta = {
  apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
  kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
};

/** The object's status with the conditions every kind has (a meta/v1 Condition list keyed by type). */
function withConditions(status: Schema): DocSchema {
  const conditions = {
    type: 'array',
    description: 'Conditions; Ready is True when the AWS resource is available.',
    items: ref(metaRef('Condition')),
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
  };
  return { ...status, properties: { ...(status.properties as object | undefined), conditions } };
}

function kindSchemas(kind: ResourceDocument): Record<string, DocSchema> {
  const K = kind.names.kind;
  const gvk = (k: string) => [{ group: GROUP, version: VERSION, kind: k }];
  const fields = Object.fromEntries(Object.entries(kind.fields).map(([name, schema]) => [name, name === 'status' ? withConditions(schema) : schema]));
  return {
    [schemaName(K)]: {
      type: 'object',
      description: kind.description,
      properties: {
        ...typeMeta,
        metadata: { allOf: [ref(metaRef('ObjectMeta'))], default: {}, description: 'Standard object metadata.' },
        ...fields,
      },
      'x-kubernetes-group-version-kind': gvk(K),
    },
    [schemaName(`${K}List`)]: {
      type: 'object',
      description: `A list of ${K}.`,
      required: ['items'],
      properties: {
        ...typeMeta,
        items: { type: 'array', items: ref(schemaName(K)), description: `List of ${kind.names.plural}.` },
        metadata: { allOf: [ref(metaRef('ListMeta'))], default: {}, description: 'Standard list metadata.' },
      },
      'x-kubernetes-group-version-kind': gvk(`${K}List`),
    },
  };
}

export interface ApiModel {
  title: string;
  paths: PathItem[];
  schemas: Record<string, DocSchema>;
}

export function buildModel(kinds: ResourceDocument[]): ApiModel {
  const meta = Object.fromEntries(Object.entries(META_SCHEMAS).map(([name, schema]) => [metaRef(name), schema]));
  return {
    title: `${GROUP_VERSION} (aws-service-apiserver)`,
    paths: kinds.flatMap(operationsFor),
    schemas: Object.fromEntries([...Object.entries(meta), ...kinds.flatMap((kind) => Object.entries(kindSchemas(kind)))]),
  };
}

export const groupVersionKind = (kind: string) => ({ group: GROUP, version: VERSION, kind });

/** Deep copy with `#/REF/` references pointed at `prefix` (`#/definitions/` or `#/components/schemas/`). */
export function resolveRefs<T>(value: T, prefix: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll(`"${REF}`, `"${prefix}`)) as T;
}
