// Watch events serialised once per event rather than once per watcher: when one change fans out to a
// thousand watches, they share one JSON text per (event type, shape). Objects are immutable values (the
// view makes a new one for every change), so the object itself is the key; only the most recent ones
// are kept, which bounds the memory this costs.
import type { KubeObject } from '../api/types.js';

export class EncodedEvents {
  private readonly byObject = new Map<KubeObject, Map<string, string>>();

  constructor(private readonly capacity = 256) {}

  /** The text for `object` under `variant` (e.g. `MODIFIED table Metadata`), built by `encode` once. */
  line(object: KubeObject, variant: string, encode: () => string): string {
    let variants = this.byObject.get(object);
    if (!variants) {
      variants = new Map();
      this.byObject.set(object, variants);
      // Maps keep insertion order: the first key is the object encoded longest ago.
      if (this.byObject.size > this.capacity) this.byObject.delete(this.byObject.keys().next().value as KubeObject);
    }
    let text = variants.get(variant);
    if (text === undefined) {
      text = encode();
      variants.set(variant, text);
    }
    return text;
  }
}
