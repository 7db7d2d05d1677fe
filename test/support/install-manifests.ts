// The install manifests as objects: deploy/ built with `kubectl kustomize`, helm's output parsed, and
// each object checked against Kubernetes' own API schemas (kubernetes-models, generated from the
// upstream OpenAPI), the check `kubectl apply --dry-run=client` would make with a cluster's OpenAPI.
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [field: string]: unknown };
// Manifests are free-form YAML; the tests reach into them by path and fail loudly if a path is missing.
export type Loose = any;

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((d) => d.toJSON() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

export function kustomize(dir: string): Manifest[] {
  return parseManifests(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' }));
}

export function find(manifests: Manifest[], kind: string, name: string): Loose {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`${kind} ${name} is missing`);
  return found;
}

export async function validateAgainstKubernetes(manifest: Manifest): Promise<void> {
  const module = (await import(`kubernetes-models/${manifest.apiVersion}/${manifest.kind}`)) as Record<string, new (data: unknown) => { validate(): void }>;
  new module[manifest.kind](manifest).validate();
}
