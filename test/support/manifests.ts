// Manifests for kubectl: written to a test's own temporary folder, in the original operator's shape.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class Manifests {
  private readonly dir = mkdtempSync(join(tmpdir(), 'manifests-'));
  private count = 0;

  /** Writes `text` to a new file and returns its path. */
  file(text: string): string {
    const path = join(this.dir, `m${++this.count}.yaml`);
    writeFileSync(path, text);
    return path;
  }

  /** A manifest of one object: `spec` is YAML indented under `spec:` (or nothing, for no spec). */
  object(kind: string, name: string, spec?: string, metadata = ''): string {
    const body = spec === undefined ? '' : `spec:\n${spec}`;
    return this.file(`apiVersion: service-operator.aws/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${metadata}${body}`);
  }
}

/** The Status kubectl printed on failure, for asserting on its words. */
export function expectFailure(result: { code: number; stderr: string }): string {
  if (result.code === 0) throw new Error('kubectl succeeded where a failure was expected');
  return result.stderr;
}
