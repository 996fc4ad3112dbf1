import { parseJsonExact } from "../ingest/json-text.js";
import type { IdentifierPath } from "./declarations.js";
import { emailKeysIn, identifierKey } from "./identifiers.js";
import { parseJsonPath, valuesAt } from "./json-path.js";
import { saltedKey } from "./salted-key.js";

/** A record as the lake or ingest holds it: its stream, and its JSON (parsed when known). */
export interface CandidateRecord {
  readonly source: string;
  readonly stream: string;
  /** The payload, when already parsed; otherwise `json` is parsed when a path must be read. */
  readonly value?: unknown;
  /** The record's JSON text (or any text it came with): searched for email addresses too. */
  readonly json: string;
}

export interface RecordMatcher {
  /** Nobody to look for: every record passes without being read. */
  readonly empty: boolean;
  /** Whether the record names one of the people looked for. */
  names(record: CandidateRecord): boolean;
}

/** Identifier paths of a stream (from the sources' catalogs); `undefined` for an unknown one. */
export type IdentifierPathsOf = (
  source: string,
  stream: string,
) => readonly IdentifierPath[] | undefined;

/**
 * Recognises the records of people given as salted keys: a record names a person when a value
 * at one of its stream's declared identifier paths, or any email address anywhere in its text
 * (a quarantined payload, a field nobody declared), has a key in the set. Values are normalized
 * as `normalizeIdentifier` does before they are salted and hashed.
 */
export function createRecordMatcher(input: {
  readonly salt: string;
  readonly keys: ReadonlySet<string>;
  readonly identifiersOf: IdentifierPathsOf;
}): RecordMatcher {
  const { salt, keys } = input;
  const compiled = new Map<string, { kind: string; steps: ReturnType<typeof parseJsonPath> }[]>();
  const pathsOf = (source: string, stream: string) => {
    const id = `${source}/${stream}`;
    let paths = compiled.get(id);
    if (!paths) {
      paths = (input.identifiersOf(source, stream) ?? []).map((p) => ({
        kind: p.kind,
        steps: parseJsonPath(p.path),
      }));
      compiled.set(id, paths);
    }
    return paths;
  };
  const known = (identifier: string | undefined): boolean =>
    identifier !== undefined && keys.has(saltedKey(salt, identifier));
  return {
    empty: keys.size === 0,
    names(record) {
      if (keys.size === 0) return false;
      if (emailKeysIn(record.json).some(known)) return true;
      const paths = pathsOf(record.source, record.stream);
      if (paths.length === 0) return false;
      let value = record.value;
      if (value === undefined) {
        try {
          value = parseJsonExact(record.json);
        } catch {
          return false;
        }
      }
      return paths.some((p) =>
        valuesAt(value, p.steps).some((v) => known(identifierKey(p.kind, v))),
      );
    },
  };
}
