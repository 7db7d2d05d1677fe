// The reference side of the benchmark: kube-apiserver and etcd (the real control plane the tests
// use, test/controlplane/) serving the same DynamoDB objects as a CRD with our schema, measured the
// same way as our server: lists as JSON and as kubectl's Table, one change fanned out to many
// watchers, and the memory of both processes, including what each installed CRD costs kube-apiserver.
import { readFileSync } from 'node:fs';
import type { KubeObject } from '../src/api/types.js';
import dynamoDB from '../src/kinds/dynamodb/index.js';
import { specSchemaOf } from '../src/registry/kind-schemas.js';
import { forEachConcurrently } from '../src/registry/concurrency.js';
import { startControlPlane, type ControlPlane } from '../test/controlplane/control-plane.js';
import { eventually } from '../test/support/eventually.js';
import { BENCH_NAMESPACE } from './fixtures.js';
import { COLLECTION, ok } from './measurements.js';
import { ServerClient } from './server-client.js';

const TOKEN = 'bench-admin-token';
const GROUP = 'service-operator.aws';

/** A CRD serving DynamoDB objects with our spec schema and printer columns (status and output kept as they come). */
export function dynamoDBCrd(group = GROUP): Record<string, unknown> {
  const { names } = dynamoDB;
  const preserved = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind: names.kind, plural: names.plural, singular: names.singular, shortNames: names.shortNames, categories: ['aws'] },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: specSchemaOf(dynamoDB), status: preserved, output: preserved } } },
          additionalPrinterColumns: dynamoDB.columns.map((c) => ({ name: c.name, type: c.type, description: c.description, jsonPath: c.jsonPath, priority: c.priority })),
        },
      ],
    },
  };
}

/** Resident memory of a process, from /proc (Linux). */
export function residentBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:')) ?? 'VmRSS: 0 kB';
  return Number(line.replace(/\D+/g, '')) * 1024;
}

export interface ReferenceCluster {
  client: ServerClient;
  cp: ControlPlane;
  rss(): { apiserver: number; etcd: number };
  stop(): Promise<void>;
}

async function installCrd(client: ServerClient, crd: Record<string, unknown>): Promise<void> {
  await ok(client.call('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(crd) }));
  const name = (crd.metadata as { name: string }).name;
  await eventually(`CRD ${name} to be established`, async () => {
    const found = JSON.parse((await client.call(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`)).body) as { status?: { conditions?: { type: string; status: string }[] } };
    return found.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  });
}

/** Starts the control plane with the DynamoDB CRD and stores `objects` (as our server rendered them) in it. */
export async function startReferenceCluster(objects: KubeObject[]): Promise<ReferenceCluster> {
  const cp = await startControlPlane({ tokens: { [TOKEN]: { username: 'bench', groups: ['system:masters'] } } });
  const client = new ServerClient({ url: cp.url, ca: cp.pki.ca.certPem, token: TOKEN });
  const pidOf = (name: string) => (cp.processes.find((p) => p.name === name) as { pid: number }).pid;
  try {
    await ok(client.call('/api/v1/namespaces', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: BENCH_NAMESPACE } }) }));
    await installCrd(client, dynamoDBCrd());
    await forEachConcurrently(objects, 8, async (object) => {
      const { name, namespace, labels, annotations } = object.metadata;
      const body = { ...object, metadata: { name, namespace, labels, annotations } };
      await ok(client.call(COLLECTION, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }));
    });
  } catch (error) {
    await cp.stop();
    throw error;
  }
  return { client, cp, rss: () => ({ apiserver: residentBytes(pidOf('kube-apiserver')), etcd: residentBytes(pidOf('etcd')) }), stop: () => cp.stop() };
}

/** kube-apiserver's resident memory growth per CRD installed: `count` more copies of ours, each in its own group. */
export async function memoryPerCrd(reference: ReferenceCluster, count: number): Promise<number> {
  const settle = () => new Promise((resolve) => setTimeout(resolve, 5000));
  await settle();
  const before = reference.rss().apiserver;
  for (let i = 0; i < count; i++) await installCrd(reference.client, dynamoDBCrd(`g${i}.bench.example`));
  await settle();
  return (reference.rss().apiserver - before) / count;
}
