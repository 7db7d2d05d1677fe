// Discovery documents: the legacy APIGroupList/APIGroup/APIResourceList and the aggregated
// apidiscovery.k8s.io/v2 (and v2beta1) form that kube-aggregator and kubectl 1.30+ ask for.
import { createHash } from 'node:crypto';
import type { KindNames } from '../registry/kind.js';
import { GROUP, GROUP_VERSION, VERSION } from './types.js';

export const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const CATEGORIES = ['aws'];

const groupVersion = { groupVersion: GROUP_VERSION, version: VERSION };

export function apiGroup() {
  return { kind: 'APIGroup', apiVersion: 'v1', name: GROUP, versions: [groupVersion], preferredVersion: groupVersion };
}

export function apiGroupList() {
  const { kind: _kind, apiVersion: _apiVersion, ...group } = apiGroup();
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [group] };
}

function storageVersionHash(kind: string): string {
  return createHash('sha256').update(`${GROUP_VERSION}/${kind}`).digest().subarray(0, 8).toString('base64');
}

export function apiResourceList(kinds: KindNames[]) {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: GROUP_VERSION,
    resources: kinds.map((k) => ({
      name: k.plural,
      singularName: k.singular,
      namespaced: true,
      kind: k.kind,
      verbs: VERBS,
      shortNames: k.shortNames,
      categories: CATEGORIES,
      storageVersionHash: storageVersionHash(k.kind),
    })),
  };
}

export function aggregatedDiscovery(kinds: KindNames[], apiVersion: 'apidiscovery.k8s.io/v2' | 'apidiscovery.k8s.io/v2beta1') {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion,
    metadata: {},
    items: [
      {
        metadata: { name: GROUP },
        versions: [
          {
            version: VERSION,
            freshness: 'Current',
            resources: kinds.map((k) => ({
              resource: k.plural,
              singularResource: k.singular,
              scope: 'Namespaced',
              responseKind: { group: GROUP, version: VERSION, kind: k.kind },
              verbs: VERBS,
              shortNames: k.shortNames,
              categories: CATEGORIES,
            })),
          },
        ],
      },
    ],
  };
}
