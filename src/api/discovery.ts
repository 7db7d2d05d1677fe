// Discovery documents: the legacy APIVersions/APIGroupList/APIGroup/APIResourceList and the
// aggregated apidiscovery.k8s.io/v2 (and v2beta1) form that kube-aggregator and kubectl 1.30+ ask for.
// Every group the server serves is described once (a DiscoveredGroup) and rendered in each form.
import { createHash } from 'node:crypto';
import type { KindNames } from './resource.js';
import { GROUP, VERSION } from './types.js';

export const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** The status subresource: read-only, since the status is what AWS reports (writes are a 405). */
export const STATUS_VERBS = ['get'];
export const CATEGORIES = ['aws'];

export interface DiscoveredResource {
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  /** Only resources that are stored (ours) have a storage version. */
  stored?: boolean;
  /** Verbs of the status subresource, for resources that have one. */
  statusVerbs?: string[];
}

export interface DiscoveredGroup {
  group: string;
  version: string;
  resources: DiscoveredResource[];
}

/** service-operator.aws/v1alpha1: one resource per kind. */
export function kindsGroup(kinds: KindNames[]): DiscoveredGroup {
  return {
    group: GROUP,
    version: VERSION,
    resources: kinds.map((k) => ({ name: k.plural, singularName: k.singular, kind: k.kind, namespaced: true, verbs: VERBS, shortNames: k.shortNames, categories: CATEGORIES, stored: true, statusVerbs: STATUS_VERBS })),
  };
}

const groupVersionOf = (group: DiscoveredGroup) => ({ groupVersion: `${group.group}/${group.version}`, version: group.version });

export function apiGroup(group: DiscoveredGroup) {
  return { kind: 'APIGroup', apiVersion: 'v1', name: group.group, versions: [groupVersionOf(group)], preferredVersion: groupVersionOf(group) };
}

export function apiGroupList(groups: DiscoveredGroup[]) {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((group) => ({ name: group.group, versions: [groupVersionOf(group)], preferredVersion: groupVersionOf(group) })) };
}

function storageVersionHash(groupVersion: string, kind: string): string {
  return createHash('sha256').update(`${groupVersion}/${kind}`).digest().subarray(0, 8).toString('base64');
}

export function apiResourceList(group: DiscoveredGroup) {
  const { groupVersion } = groupVersionOf(group);
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: group.resources.flatMap(({ stored, statusVerbs, ...resource }) => [
      { ...resource, ...(stored ? { storageVersionHash: storageVersionHash(groupVersion, resource.kind) } : {}) },
      ...(statusVerbs ? [{ name: `${resource.name}/status`, singularName: '', namespaced: resource.namespaced, kind: resource.kind, verbs: statusVerbs }] : []),
    ]),
  };
}

function discoveryVersion(group: string, version: string, resources: DiscoveredResource[]) {
  return {
    version,
    freshness: 'Current',
    resources: resources.map((r) => ({
      resource: r.name,
      singularResource: r.singularName,
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      responseKind: { group, version, kind: r.kind },
      verbs: r.verbs,
      ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories?.length ? { categories: r.categories } : {}),
      ...(r.statusVerbs ? { subresources: [{ subresource: 'status', responseKind: { group, version, kind: r.kind }, verbs: r.statusVerbs }] } : {}),
    })),
  };
}

export type AggregatedDiscoveryVersion = 'apidiscovery.k8s.io/v2' | 'apidiscovery.k8s.io/v2beta1';

export function aggregatedDiscovery(groups: DiscoveredGroup[], apiVersion: AggregatedDiscoveryVersion) {
  return { kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items: groups.map((g) => ({ metadata: { name: g.group }, versions: [discoveryVersion(g.group, g.version, g.resources)] })) };
}

/**
 * The legacy core group (/api, /api/v1) of a server that serves no core resources: version v1 exists
 * and lists nothing, as clients that assume core v1 (the Python client's discovery) expect.
 */
export function coreApiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function coreResourceList() {
  return { kind: 'APIResourceList', groupVersion: 'v1', resources: [] };
}

export function coreAggregatedDiscovery(apiVersion: AggregatedDiscoveryVersion) {
  return { kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items: [{ metadata: {}, versions: [discoveryVersion('', 'v1', [])] }] };
}
