// Accept-header negotiation for the response shapes kube-apiserver offers: the object itself (JSON or
// YAML), a meta.k8s.io Table (kubectl get), PartialObjectMetadata(List) (garbage collector, namespace
// controller, metadata informers). Protobuf is skipped so clients fall back to their JSON alternative.
import { StatusError } from './errors.js';

export type ResponseShape = 'object' | 'table' | 'partial';

export interface Negotiated {
  shape: ResponseShape;
  mediaType: 'application/json' | 'application/yaml';
}

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header || !header.trim()) return [{ type: '*/*', params: {} }];
  return header.split(',').map((part) => {
    const [type, ...rest] = part.split(';').map((s) => s.trim());
    const params = Object.fromEntries(
      rest.map((p) => {
        const [key, value = ''] = p.split('=');
        return [key.trim().toLowerCase(), value.trim().replace(/^"|"$/g, '')];
      }),
    );
    return { type: type.toLowerCase(), params };
  });
}

const JSON_TYPES = new Set(['application/json', 'application/*', '*/*']);

function shapeOf(range: MediaRange, list: boolean): ResponseShape | undefined | 'unsupported' {
  const { as, g, v } = range.params;
  if (!as) return 'object';
  if (g !== 'meta.k8s.io') return 'unsupported';
  if (as === 'Table' && (v === 'v1' || v === 'v1beta1')) return 'table';
  if (v === 'v1' && as === (list ? 'PartialObjectMetadataList' : 'PartialObjectMetadata')) return 'partial';
  return 'unsupported';
}

/** The first acceptable shape in the client's order; 406 when none is. */
export function negotiate(accept: string | undefined, list: boolean): Negotiated {
  for (const range of parseAccept(accept)) {
    const yaml = range.type === 'application/yaml';
    if (!yaml && !JSON_TYPES.has(range.type)) continue;
    const shape = shapeOf(range, list);
    if (shape === 'unsupported' || shape === undefined) continue;
    return { shape, mediaType: yaml ? 'application/yaml' : 'application/json' };
  }
  throw new StatusError(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io, application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io');
}

/** Whether plain JSON is acceptable (no Accept, or application/json, application/* or any type). */
export function acceptsJson(accept: string | undefined): boolean {
  return parseAccept(accept).some((range) => JSON_TYPES.has(range.type) && !range.params.as);
}

/** Which aggregated discovery version (if any) the client asked for on /apis, in its order. */
export function aggregatedDiscoveryVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const range of parseAccept(accept)) {
    if (range.params.as !== 'APIGroupDiscoveryList' || range.params.g !== 'apidiscovery.k8s.io') continue;
    if (range.params.v === 'v2' || range.params.v === 'v2beta1') return range.params.v;
  }
  return undefined;
}
