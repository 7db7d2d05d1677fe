import { aggregatedDiscoveryVersion, negotiate } from '../../src/api/negotiation.js';
import { parseRequestInfo } from '../../src/api/request-info.js';
import { readJsonPath, toTable } from '../../src/api/table.js';
import { humanDuration } from '../../src/api/time.js';
import type { KubeObject } from '../../src/api/types.js';

describe('Accept negotiation', () => {
  test('kubectl get asks for a Table first', () => {
    expect(negotiate('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json', true).shape).toBe('table');
  });
  test('the metadata client asks for protobuf first; we answer JSON PartialObjectMetadataList', () => {
    const accept = 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
    expect(negotiate(accept, true)).toEqual({ shape: 'partial', mediaType: 'application/json' });
  });
  test('plain JSON, YAML and nothing; an unknown Table version alone is 406', () => {
    expect(negotiate(undefined, false).shape).toBe('object');
    expect(negotiate('application/yaml', false).mediaType).toBe('application/yaml');
    expect(() => negotiate('application/json;as=Table;v=v9;g=meta.k8s.io', false)).toThrow(expect.objectContaining({ code: 406 }));
  });
  test('aggregated discovery in the client\'s order', () => {
    expect(aggregatedDiscoveryVersion('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json')).toBe('v2');
    expect(aggregatedDiscoveryVersion('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList')).toBe('v2beta1');
    expect(aggregatedDiscoveryVersion('application/json')).toBeUndefined();
  });
});

describe('request info', () => {
  const info = (method: string, path: string, query = '') => parseRequestInfo(method, path, new URLSearchParams(query));
  test('verbs from method, path and watch', () => {
    expect(info('GET', '/apis/service-operator.aws/v1alpha1/namespaces/a/dynamodbs')).toMatchObject({ verb: 'list', namespace: 'a', resource: 'dynamodbs', name: '' });
    expect(info('GET', '/apis/service-operator.aws/v1alpha1/dynamodbs', 'watch=1')).toMatchObject({ verb: 'watch', namespace: '' });
    expect(info('GET', '/apis/service-operator.aws/v1alpha1/namespaces/a/dynamodbs/t')).toMatchObject({ verb: 'get', name: 't' });
    expect(info('DELETE', '/apis/service-operator.aws/v1alpha1/namespaces/a/dynamodbs')).toMatchObject({ verb: 'deletecollection' });
    expect(info('PATCH', '/apis/service-operator.aws/v1alpha1/namespaces/a/dynamodbs/t')).toMatchObject({ verb: 'patch' });
  });
  test('a name-pinning field selector names the object (RBAC resourceNames)', () => {
    expect(info('GET', '/apis/service-operator.aws/v1alpha1/namespaces/a/dynamodbs', 'fieldSelector=metadata.name%3Dt&watch=true')).toMatchObject({ verb: 'watch', name: 't' });
  });
  test('discovery and OpenAPI are non-resource requests', () => {
    expect(info('GET', '/apis/service-operator.aws/v1alpha1').isResourceRequest).toBe(false);
    expect(info('GET', '/openapi/v3')).toMatchObject({ isResourceRequest: false, verb: 'get' });
  });
});

describe('Table', () => {
  const object = {
    apiVersion: 'service-operator.aws/v1alpha1',
    kind: 'DynamoDB',
    metadata: { name: 'orders', namespace: 'a', creationTimestamp: new Date(Date.now() - 3 * 3600 * 1000).toISOString() },
    status: { tableStatus: 'ACTIVE', list: [{ v: 1 }] },
  } as KubeObject;
  const columns = [
    { name: 'Status', type: 'string' as const, description: '', jsonPath: '.status.tableStatus', priority: 0 as const },
    { name: 'Missing', type: 'string' as const, description: '', jsonPath: '.status.nothing', priority: 1 as const },
  ];

  test('rows carry the cells, the age and PartialObjectMetadata with kind and apiVersion', () => {
    const table = toTable([object], columns, { include: 'Metadata', resourceVersion: '7', headers: true });
    expect(table.metadata.resourceVersion).toBe('7');
    expect(table.columnDefinitions?.map((c) => c.name)).toEqual(['Name', 'Status', 'Missing', 'Age']);
    expect(table.columnDefinitions?.[2].priority).toBe(1);
    expect(table.rows[0].cells).toEqual(['orders', 'ACTIVE', null, '3h']);
    expect(table.rows[0].object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata });
  });

  test('json paths and human durations', () => {
    expect(readJsonPath(object, '.status.list[0].v')).toBe(1);
    expect([45e3, 310e3, 3 * 3600e3 + 60e3, 50 * 3600e3, 400 * 24 * 3600e3].map(humanDuration)).toEqual(['45s', '5m10s', '3h1m', '2d2h', '400d']);
  });
});
