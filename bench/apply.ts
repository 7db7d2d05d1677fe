// `kubectl apply` of many objects at once, as a user does it, to all Ready: Crossplane's published
// figure for 100 ECR repositories is ~19 minutes (crossplane/upjet#116). Our writes reach AWS before
// apply returns, so Ready is usually there by the time `kubectl wait` asks.
import { Kubectl } from '../test/support/kubectl.js';
import { Manifests } from '../test/support/manifests.js';

export interface ApplyFigures {
  /** kubectl apply of every manifest → exit. */
  applySeconds: number;
  /** From the start of apply until `kubectl wait --for=condition=Ready` on all of them returned. */
  readySeconds: number;
}

const manifest = (kind: string, name: string) => `apiVersion: service-operator.aws/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: bench\nspec: {}\n`;

export async function measureApply(kubeconfig: string, kind: string, plural: string, count: number): Promise<ApplyFigures> {
  const kubectl = new Kubectl(kubeconfig, 'bench');
  const names = Array.from({ length: count }, (_, i) => `${kind.toLowerCase()}-${String(i).padStart(3, '0')}`);
  const file = new Manifests().file(names.map((name) => manifest(kind, name)).join('---\n'));
  const started = performance.now();
  const applied = await kubectl.run(['apply', '-f', file], { timeoutMs: 1_800_000 });
  if (applied.code !== 0) throw new Error(`kubectl apply exited ${applied.code}: ${applied.stderr}`);
  const applySeconds = (performance.now() - started) / 1000;
  const waited = await kubectl.run(['wait', '--for=condition=Ready', '--timeout=1800s', ...names.map((name) => `${plural}/${name}`)], { timeoutMs: 1_800_000 });
  if (waited.code !== 0) throw new Error(`kubectl wait exited ${waited.code}: ${waited.stderr}`);
  return { applySeconds, readySeconds: (performance.now() - started) / 1000 };
}
