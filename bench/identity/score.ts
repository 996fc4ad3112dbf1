/**
 * Pairwise precision, recall and F1 of a clustering against the truth: a pair of records is
 * predicted when both got the same contact, true when both were made by the same person.
 * Counted from cluster sizes (no pair enumeration), so it scales to any record count.
 */

export interface PairwiseScore {
  readonly records: number;
  readonly truePairs: number;
  readonly predictedPairs: number;
  readonly correctPairs: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Contacts made / people in the records: > 1 means people split, < 1 strangers merged. */
  readonly contactsPerPerson: number;
}

const pairs = (n: number) => (n * (n - 1)) / 2;

function pairsOf(counts: Map<string, number>): number {
  let total = 0;
  for (const n of counts.values()) total += pairs(n);
  return total;
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/**
 * `predicted`: record_key → contact_id. A record missing from it (the graph gave it no contact)
 * counts as a contact of its own. Only records in `truth` and passing `include` are scored.
 */
export function pairwiseScore(
  truth: ReadonlyMap<string, number>,
  predicted: ReadonlyMap<string, string>,
  include: (recordKey: string) => boolean = () => true,
): PairwiseScore {
  const byPerson = new Map<string, number>();
  const byContact = new Map<string, number>();
  const byBoth = new Map<string, number>();
  let records = 0;
  for (const [key, person] of truth) {
    if (!include(key)) continue;
    records += 1;
    const contact = predicted.get(key) ?? `unassigned:${key}`;
    bump(byPerson, String(person));
    bump(byContact, contact);
    bump(byBoth, `${contact}\u0000${person}`);
  }
  const truePairs = pairsOf(byPerson);
  const predictedPairs = pairsOf(byContact);
  const correctPairs = pairsOf(byBoth);
  const precision = predictedPairs === 0 ? 1 : correctPairs / predictedPairs;
  const recall = truePairs === 0 ? 1 : correctPairs / truePairs;
  return {
    records,
    truePairs,
    predictedPairs,
    correctPairs,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    contactsPerPerson: byContact.size / byPerson.size,
  };
}
