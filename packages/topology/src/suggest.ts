/**
 * Suggestions for misspelt names and fields: "did you mean ...?".
 *
 * The distance is the optimal string alignment distance (Levenshtein plus the
 * swap of two neighbours, so "gap" is one edit from "gpa"), compared without
 * case. A candidate is suggested only when it is close for its length, so a
 * short name is never "corrected" into an unrelated one.
 */

/** The most names a message lists before it says how many more there are. */
const NAMES_LISTED_MAX = 20;

function distance(left: string, right: string): number {
  const rows = left.length + 1;
  const columns = right.length + 1;
  const table = new Array<number>(rows * columns).fill(0);
  const at = (row: number, column: number): number => table[row * columns + column] ?? 0;
  for (let row = 0; row < rows; row += 1) table[row * columns] = row;
  for (let column = 0; column < columns; column += 1) table[column] = column;
  for (let row = 1; row < rows; row += 1) {
    for (let column = 1; column < columns; column += 1) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      let best = Math.min(at(row - 1, column) + 1, at(row, column - 1) + 1, at(row - 1, column - 1) + cost);
      const swapped = row > 1 && column > 1 && left[row - 1] === right[column - 2] && left[row - 2] === right[column - 1];
      if (swapped) best = Math.min(best, at(row - 2, column - 2) + 1);
      table[row * columns + column] = best;
    }
  }
  return at(rows - 1, columns - 1);
}

/** The candidate closest to `found`, if one is close enough to be a likely misspelling. */
export function suggestionFind(found: string, candidates: Iterable<string>): string | null {
  const wanted = found.toLowerCase();
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const lengthGap = Math.abs(candidate.length - wanted.length);
    if (lengthGap >= bestDistance) continue;
    const candidateDistance = distance(wanted, candidate.toLowerCase());
    if (candidateDistance < bestDistance) {
      best = candidate;
      bestDistance = candidateDistance;
    }
  }
  if (best === null) return null;
  const allowed = Math.max(1, Math.floor(Math.max(best.length, wanted.length) / 3));
  return bestDistance <= allowed ? best : null;
}

/** `a, b, c` — at most NAMES_LISTED_MAX of them, then how many more. */
export function namesList(names: readonly string[]): string {
  if (names.length <= NAMES_LISTED_MAX) return names.join(', ');
  return `${names.slice(0, NAMES_LISTED_MAX).join(', ')} … (${names.length - NAMES_LISTED_MAX} more)`;
}

/** `expected one of: a, b (did you mean "a"?)`, the tail of every unknown-name message. */
export function expectedOneOf(found: unknown, names: readonly string[]): string {
  const suggestion = typeof found === 'string' ? suggestionFind(found, names) : null;
  const hint = suggestion === null ? '' : ` (did you mean ${JSON.stringify(suggestion)}?)`;
  return `expected one of: ${namesList(names)}${hint}`;
}
