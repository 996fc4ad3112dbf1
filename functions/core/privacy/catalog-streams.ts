import type { SourceCatalog } from "../ingest/source.js";
import type { RawStreamDeclaration } from "./erase-warehouse.js";
import type { IdentifierPathsOf } from "./record-matcher.js";

/** Every stream of every catalog with its identifier paths. */
export function rawStreamsOf(catalogs: readonly SourceCatalog[]): RawStreamDeclaration[] {
  return catalogs.flatMap((c) =>
    Object.entries(c.streams).map(([stream, entry]) => ({
      source: c.source,
      stream,
      identifiers: entry.identifiers,
    })),
  );
}

/** The identifier paths of a stream, looked up from the catalogs. */
export function identifierPathsOf(catalogs: readonly SourceCatalog[]): IdentifierPathsOf {
  const byStream = new Map(
    rawStreamsOf(catalogs).map((s) => [`${s.source}/${s.stream}`, s.identifiers]),
  );
  return (source, stream) => byStream.get(`${source}/${stream}`);
}
