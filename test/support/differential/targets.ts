// The two sides of a differential test on the real control plane: our kinds, served by the server
// through the APIService, and CustomResourceDefinitions of the same kinds with the same structural
// schemas (spec from the kind, list types and map keys included), in a group of their own, served by
// kube-apiserver itself. Manifests are written for our group; each target rewrites them for itself.
import { specFieldOf, type KindDefinition } from '../../../src/registry/kind.js';
import { specSchemaOf } from '../../../src/registry/kind-schemas.js';
import { SERVER_SET_ROOT_FIELDS } from '../../../src/registry/managed-fields.js';
import { GROUP, VERSION } from '../../../src/api/types.js';
import type { ControlPlane } from '../../controlplane/control-plane.js';
import { eventually } from '../eventually.js';

/** The CRDs' group: ours under a suffix (a CRD group needs a dot, and must not be one an APIService serves). */
export const CRD_GROUP = `${GROUP}.differential`;

export interface Target {
  name: 'server' | 'crd';
  group: string;
  apiVersion: string;
  /** The resource as kubectl names it unambiguously, e.g. dynamodbs.service-operator.aws. */
  resource(plural: string): string;
  path(namespace: string, plural: string, name?: string): string;
  /** A manifest written for our group, for this target (for a server-side apply when `applied`). */
  manifest<T>(object: T, applied?: boolean): T;
}

function target(name: Target['name'], group: string): Target {
  const apiVersion = `${group}/${VERSION}`;
  return {
    name,
    group,
    apiVersion,
    resource: (plural) => `${plural}.${group}`,
    path: (namespace, plural, object) => `/apis/${apiVersion}/namespaces/${namespace}/${plural}${object ? `/${object}` : ''}`,
    manifest: <T>(object: T, applied = false): T => {
      const text = JSON.stringify(object).replaceAll(`"${GROUP}/${VERSION}"`, JSON.stringify(apiVersion));
      // The server reads `spec: null` in an apply (the original operator's SNSTopic example) as an empty
      // spec; a CRD refuses it where nothing else gives the object a spec, so it is applied `{}`.
      // (kubectl's client-side apply drops the null itself.)
      return JSON.parse(name === 'crd' && applied ? text.replaceAll('"spec":null', '"spec":{}') : text) as T;
    },
  };
}

export const SERVER = target('server', GROUP);
export const CRD = target('crd', CRD_GROUP);

/** Our group's name in whatever the CRD side printed, so both sides read alike. */
export function normalizeGroup(text: string): string {
  return text.replaceAll(CRD_GROUP, GROUP);
}

/** The CRD of a kind: its names (without short names and categories, which would clash with ours) and structural schema. */
export function differentialCrd(kind: KindDefinition) {
  const { plural, singular } = kind.names;
  const serverSet = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${CRD_GROUP}` },
    spec: {
      group: CRD_GROUP,
      scope: 'Namespaced',
      names: { kind: kind.names.kind, listKind: `${kind.names.kind}List`, plural, singular },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          // As ours: status (and the other server-set root fields) never written through the main resource.
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { [specFieldOf(kind)]: specSchemaOf(kind), ...Object.fromEntries(SERVER_SET_ROOT_FIELDS.map((field) => [field, serverSet])) },
            },
          },
        },
      ],
    },
  };
}

/** Creates the CRDs and waits until kube-apiserver serves them. */
export async function installCrds(cp: ControlPlane, kinds: readonly KindDefinition[]): Promise<void> {
  const list = { apiVersion: 'v1', kind: 'List', items: kinds.map(differentialCrd) };
  await cp.admin.ok(['apply', '--server-side', '-f', '-'], { input: JSON.stringify(list) });
  await cp.admin.ok(['wait', '--for=condition=Established', '--timeout=60s', ...kinds.map((k) => `crd/${k.names.plural}.${CRD_GROUP}`)]);
  await eventually('kube-apiserver to serve the differential CRDs', async () => ((await cp.get(`/apis/${CRD_GROUP}/${VERSION}`)).status === 200 ? true : undefined));
}
