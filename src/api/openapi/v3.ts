// The OpenAPI v3 document of our group-version (/openapi/v3/apis/service-operator.aws/v1alpha1), built
// with openapi3-ts. kubectl explain/apply/validation read it through kube-aggregator or directly.
import { OpenApiBuilder, type OperationObject, type ParameterObject, type PathItemObject } from 'openapi3-ts/oas30';
import { groupVersionKind, resolveRefs, type ApiModel, type Operation, type Parameter } from './model.js';

const PREFIX = '#/components/schemas/';

function parameter(p: Parameter): ParameterObject {
  return { name: p.name, in: p.in, description: p.description, ...(p.required ? { required: true } : {}), schema: { type: p.type }, ...(p.in === 'query' ? { uniqueItems: true } : {}) };
}

function operation(o: Operation): OperationObject {
  const produced = (schema: string) => ({ 'application/json': { schema: { $ref: `${PREFIX}${schema}` } }, 'application/yaml': { schema: { $ref: `${PREFIX}${schema}` } } });
  return {
    description: o.description,
    operationId: o.operationId,
    tags: ['serviceOperatorAws_v1alpha1'],
    parameters: o.parameters.map(parameter),
    ...(o.body
      ? { requestBody: { required: o.method !== 'delete', content: Object.fromEntries(o.body.mediaTypes.map((m) => [m, { schema: { $ref: `${PREFIX}${o.body?.schema}` } }])) } }
      : {}),
    responses: {
      ...Object.fromEntries(Object.entries(o.responses).map(([code, schema]) => [code, { description: code === '201' ? 'Created' : code === '202' ? 'Accepted' : 'OK', content: produced(schema) }])),
      '401': { description: 'Unauthorized' },
    },
    'x-kubernetes-action': o.action,
    'x-kubernetes-group-version-kind': groupVersionKind(o.kind),
  };
}

export function openApiV3(model: ApiModel): object {
  const builder = OpenApiBuilder.create().addOpenApiVersion('3.0.0').addTitle(model.title).addVersion('v1alpha1');
  for (const item of model.paths) {
    const pathItem: PathItemObject = { parameters: item.parameters.map(parameter) };
    for (const op of item.operations) pathItem[op.method] = operation(op);
    builder.addPath(item.path, pathItem);
  }
  for (const [name, schema] of Object.entries(resolveRefs(model.schemas, PREFIX))) builder.addSchema(name, schema);
  return builder.getSpec();
}
