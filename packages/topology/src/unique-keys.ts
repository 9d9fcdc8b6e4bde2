/**
 * Duplicate keys of a YAML document, found in one pass. `yaml`'s own
 * `uniqueKeys` check compares each key with every earlier key of its map:
 * quadratic, 33 s for a map of 30,000 keys. This one remembers the keys of
 * each map in a set, as `yaml` compares them: two scalar keys are the same
 * when their values are (`1` and `"1"` are not).
 */
import { isMap, isScalar, visit, type Document } from 'yaml';

/** The offset in the text of each key that repeats an earlier key of its map. */
export function duplicateKeyOffsets(document: Document): number[] {
  const offsets: number[] = [];
  visit(document, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key)) continue;
        if (seen.has(key.value)) offsets.push(key.range?.[0] ?? 0);
        else seen.add(key.value);
      }
    },
  });
  return offsets;
}

export const DUPLICATE_KEY_MESSAGE = 'Map keys must be unique';
