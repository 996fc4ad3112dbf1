import { stringify } from "lossless-json";
import type { Logger } from "../../platform/logger.js";
import type { ObjectStore, Row, Warehouse } from "../../platform/ports.js";
import { parseJsonExact } from "../ingest/json-text.js";
import type { SourceCatalog } from "../ingest/source.js";
import { readLedger } from "../loading/ledger.js";
import { fileId } from "../loading/manifest.js";
import { parseRawObjectKey } from "../raw-table.js";
import type { AccessRequest } from "./access-request.js";
import { identifierPathsOf, rawStreamsOf } from "./catalog-streams.js";
import type { PersonalTable, TableDeclaration } from "./declarations.js";
import { rawTableOf, rawWhere, tableWhere } from "./erase-warehouse.js";
import { requestKeys } from "./erasure-request.js";
import { matchingLines } from "./lake-objects.js";
import { resolvePerson } from "./person.js";
import { createRecordMatcher } from "./record-matcher.js";
import { tableSql } from "./sql.js";
import { anySuppressed } from "./suppression-list.js";
import { tableKind } from "./warehouse-catalog.js";

export interface AccessDeps {
  readonly store: ObjectStore;
  readonly warehouse: Warehouse;
  readonly logger: Logger;
  readonly salt: string;
  readonly catalogs: readonly SourceCatalog[];
  readonly tables: readonly TableDeclaration[];
}

export interface SourceRecord {
  readonly recordId: string | null;
  readonly receivedAt: string | null;
  /** Where it is: the raw table, or the lake object when it is not loaded yet. */
  readonly from: string;
  readonly payload: unknown;
}

/** Everything held about one person, per source and stream, per table, with consent history. */
export interface AccessDocument {
  readonly version: 1;
  readonly generatedAt: string;
  readonly origin: string;
  /** The person's contact ids (what the tables below are keyed by). */
  readonly contactIds: readonly string[];
  /** True when the person was erased before: what follows is then what came back, if anything. */
  readonly onSuppressionList: boolean;
  readonly sources: Record<string, Record<string, SourceRecord[]>>;
  readonly quarantine: ReadonlyArray<
    SourceRecord & { source: string; stream: string; reasons: unknown }
  >;
  readonly tables: Record<string, Row[]>;
  /** Rows of the consent tables (every decision: purpose, granted or not, source, when), oldest first. */
  readonly consentHistory: readonly Row[];
  /** What destinations hold according to the sync snapshot. */
  readonly destinations: Record<string, Row[]>;
}

/**
 * Gathers an access request's document: the person resolved like an erasure resolves them, their
 * raw records (from the raw tables, and from lake objects not loaded yet), quarantined records
 * that name them, their rows of every declared table, consent history and destination state.
 */
export async function exportPerson(
  deps: AccessDeps,
  request: AccessRequest,
  at: Date,
): Promise<AccessDocument> {
  const { warehouse } = deps;
  const personal = deps.tables.filter((t): t is PersonalTable => t.personal);
  const start = {
    keys: new Set(requestKeys(deps.salt, request)),
    contactIds: new Set(request.contactIds),
  };
  const onSuppressionList = await anySuppressed(warehouse, deps.salt, [...start.keys]);
  const person = await resolvePerson(deps, { salt: deps.salt, tables: personal, start });
  const sources: AccessDocument["sources"] = {};
  const add = (source: string, stream: string, record: SourceRecord) => {
    const bySource = sources[source] ?? {};
    sources[source] = bySource;
    bySource[stream] = [...(bySource[stream] ?? []), record];
  };
  for (const stream of rawStreamsOf(deps.catalogs)) {
    const table = await rawTableOf(warehouse, stream);
    const where = rawWhere(warehouse.dialect, stream, person, deps.salt);
    if (!table || !where) continue;
    const text =
      warehouse.dialect === "duckdb" ? "CAST(payload AS VARCHAR)" : "TO_JSON_STRING(payload)";
    const rows = await warehouse.query(
      `SELECT _record_id, _received_at, ${text} AS payload FROM ${tableSql(table)} WHERE ${where.sql} ORDER BY _received_at`,
      where.params,
    );
    for (const row of rows) {
      add(stream.source, stream.stream, {
        recordId: String(row._record_id),
        receivedAt: iso(row._received_at),
        from: `${table.dataset}.${table.table}`,
        payload: parseJsonExact(String(row.payload)),
      });
    }
  }
  const matcher = createRecordMatcher({
    salt: deps.salt,
    keys: person.keys,
    identifiersOf: identifierPathsOf(deps.catalogs),
  });
  const quarantine: Array<SourceRecord & { source: string; stream: string; reasons: unknown }> = [];
  const ledger = await readLedger(warehouse, { kind: "all" });
  for (const prefix of ["raw/", "quarantine/"]) {
    for (const object of await deps.store.list(prefix)) {
      const raw = parseRawObjectKey(object.key);
      if (raw && ledger.loaded.has(fileId(object))) continue;
      const [, source = "", stream = ""] = object.key.split("/");
      const bytes = await deps.store.get(object.key);
      if (!bytes) continue;
      for (const line of matchingLines(
        Buffer.from(bytes).toString("utf8"),
        { source, stream },
        matcher,
      )) {
        const record = {
          recordId: typeof line._record_id === "string" ? line._record_id : null,
          receivedAt: typeof line._received_at === "string" ? line._received_at : null,
          from: object.key,
          payload: line.payload ?? line.raw_body_base64 ?? null,
        };
        if (raw) add(source, stream, record);
        else quarantine.push({ ...record, source, stream, reasons: line.reasons ?? [] });
      }
    }
  }
  const tables: Record<string, Row[]> = {};
  const destinations: Record<string, Row[]> = {};
  const consentHistory: Row[] = [];
  for (const table of personal) {
    if (!(await tableKind(warehouse, table))) continue;
    const where = tableWhere(warehouse.dialect, table, person, deps.salt);
    if (!where) continue;
    const rows = (
      await warehouse.query(`SELECT * FROM ${tableSql(table)} WHERE ${where.sql}`, where.params)
    ).map(plain);
    const name = `${table.dataset}.${table.table}`;
    if (table.erase === "via-destinations") destinations[name] = rows;
    else tables[name] = rows;
    if (table.consentHistory) consentHistory.push(...rows);
  }
  consentHistory.sort((a, b) =>
    String(a.decided_at ?? "").localeCompare(String(b.decided_at ?? "")),
  );
  deps.logger.info(
    { contacts: person.contactIds.size, tables: Object.keys(tables).length, onSuppressionList },
    "access request gathered",
  );
  return {
    version: 1,
    generatedAt: at.toISOString(),
    origin: request.origin,
    contactIds: [...person.contactIds].sort(),
    onSuppressionList,
    sources,
    quarantine,
    tables,
    consentHistory,
    destinations,
  };
}

/** The document as JSON, integers beyond 2^53 written digit for digit. */
export function accessDocumentJson(document: AccessDocument): string {
  return `${stringify(document, null, 2) ?? "{}"}\n`;
}

function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : String(value);
}

function plain(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = v instanceof Date ? v.toISOString() : v;
  return out;
}
