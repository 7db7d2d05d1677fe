// What clients can write into metadata.managedFields (a JSON patch, a PUT, a merge patch): entries
// kube would refuse to decode, sets naming fields the schema has not or in the wrong form, too many
// managers, odd times, not even a list. None of it may make a write fail (kube-apiserver keeps or
// resets ownership instead). `fields` names spec fields of the kind under test: a scalar, another
// scalar, an associative list and a map.
export interface FieldNames {
  scalar: string;
  other: string;
  list: string;
  map: string;
}

export function oddManagedFields(apiVersion: string, fields: FieldNames): unknown[] {
  const entry = (fieldsV1: unknown, extra: Record<string, unknown> = {}) => ({ manager: 'm', operation: 'Update', apiVersion, fieldsType: 'FieldsV1', fieldsV1, ...extra });
  const f = (name: string) => `f:${name}`;
  return [
    // Apply of one field only: the required ones are then nobody's (the JSON patch of the differential suite).
    [entry({ 'f:spec': { [f(fields.scalar)]: {} } }, { manager: 'kubectl', operation: 'Apply' })],
    [entry({}, { operation: 'Patch' })],
    [entry({}, { apiVersion: undefined })],
    [entry({}, { fieldsType: 'FieldsV2' })],
    [entry({ 'f:spec': fields.scalar })],
    [entry({ 'x:nonsense': {}, 'k:{not json': {} })],
    [entry({ 'f:spec': { [f(fields.scalar)]: { 'f:deeper': { 'v:5': {} } }, [f(fields.list)]: { 'k:{"nope":1}': { 'f:name': {} }, 'i:3': {} }, [f(fields.map)]: { 'k:{"x":1}': {} } } }, { operation: 'Apply' })],
    [entry({ 'f:status': { 'f:anything': {} }, 'f:metadata': { 'f:managedFields': {} } }, { operation: 'Apply' })],
    [entry({ 'f:spec': { [f(fields.other)]: {} } }, { apiVersion: `${apiVersion}beta`, time: 'yesterday' })],
    [entry({ 'f:spec': {} }, { subresource: 'status' }), entry({}, { subresource: 'status' })],
    Array.from({ length: 30 }, (_, i) => entry({ 'f:spec': { [f(fields.other)]: {} } }, { manager: `m${i}`, time: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z` })),
    [entry({ 'f:spec': { [f(fields.other)]: {} } }, { manager: '', operation: 'Apply' })],
    [null],
    ['kubectl'],
    [entry([], { manager: 7, apiVersion: ['x'] })],
    'not a list',
    { manager: 'kubectl' },
  ];
}
