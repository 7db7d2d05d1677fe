// Finds the kind modules: every folder under src/kinds/ with an index module exporting a KindDefinition.
// Adding a kind is adding its folder; nothing else lists kinds.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { KindDefinition } from './kind.js';

const KINDS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'kinds');

export async function loadKinds(directory: string = KINDS_DIR): Promise<KindDefinition[]> {
  const kinds: KindDefinition[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true }).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const module = ['index.js', 'index.ts'].map((file) => join(directory, entry.name, file)).find((file) => existsSync(file));
    if (!module) continue;
    const loaded = (await import(pathToFileURL(module).href)) as { default?: KindDefinition };
    if (!loaded.default?.names) throw new Error(`kind module ${module} does not export a KindDefinition as default`);
    kinds.push(loaded.default);
  }
  return kinds;
}
