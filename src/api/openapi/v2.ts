// The Swagger 2.0 document (/openapi/v2): the same model for older clients, kubectl's v2 fallback and
// kube-aggregator's v2 merge (which keeps only paths under /apis/<group>/<version>/).
import { groupVersionKind, resolveRefs, type ApiModel, type Operation, type Parameter } from './model.js';

const PREFIX = '#/definitions/';

function parameter(p: Parameter) {
  return { name: p.name, in: p.in, description: p.description, type: p.type, uniqueItems: true, ...(p.required ? { required: true } : {}) };
}

function operation(o: Operation) {
  return {
    description: o.description,
    operationId: o.operationId,
    consumes: o.body?.mediaTypes ?? ['*/*'],
    produces: ['application/json', 'application/yaml'],
    schemes: ['https'],
    tags: ['serviceOperatorAws_v1alpha1'],
    parameters: [
      ...(o.body ? [{ name: 'body', in: 'body', required: o.method !== 'delete', schema: { $ref: `${PREFIX}${o.body.schema}` } }] : []),
      ...o.parameters.map(parameter),
    ],
    responses: {
      ...Object.fromEntries(Object.entries(o.responses).map(([code, schema]) => [code, { description: 'OK', schema: { $ref: `${PREFIX}${schema}` } }])),
      '401': { description: 'Unauthorized' },
    },
    'x-kubernetes-action': o.action,
    'x-kubernetes-group-version-kind': groupVersionKind(o.kind),
  };
}

export function openApiV2(model: ApiModel): object {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const item of model.paths) {
    const pathItem: Record<string, unknown> = { parameters: item.parameters.map(parameter) };
    for (const op of item.operations) pathItem[op.method] = operation(op);
    paths[item.path] = pathItem;
  }
  return { swagger: '2.0', info: { title: model.title, version: 'v1alpha1' }, paths, definitions: resolveRefs(model.schemas, PREFIX) };
}
