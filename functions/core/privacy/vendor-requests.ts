import { createHash } from "node:crypto";
import { z } from "zod";
import { DEFAULT_CONNECTION } from "../ingest/connection.js";
import { parseJsonExact } from "../ingest/json-text.js";
import { accessDocumentJson, exportPerson } from "./access-export.js";
import { parseAccessRequest } from "./access-request.js";
import { eraseConnection } from "./connection-erasure.js";
import type { PrivacyRequestKind } from "./declarations.js";
import { type ErasureDeps, type ErasureOutcome, runErasure } from "./erasure.js";
import { parseErasureRequest } from "./erasure-request.js";
import { valuesAt } from "./json-path.js";

/**
 * Privacy requests a vendor sends as records (Shopify's customers/redact, customers/data_request,
 * shop/redact land as streams whose catalog entry has `privacyRequest`). Each record is turned
 * into an erasure or an access request once: `privacy/requests/<hash of its record id>.json`
 * says it was handled (kind, status, the erasure id or export key; never an identifier). The
 * person is named by the stream's declared identifier paths. Ids are derived from the record,
 * so a run killed half-way and started again continues the same erasure or rewrites the same
 * export.
 */
export const REQUESTS_PREFIX = "privacy/requests/";
export const EXPORTS_PREFIX = "privacy/exports/";

const MarkerSchema = z.object({
  kind: z.enum(["erase_person", "erase_connection", "export_person"]),
  source: z.string(),
  stream: z.string(),
  status: z.enum(["erased", "erasure_waiting", "exported", "needs_operator"]),
  erasureId: z.string().optional(),
  exportKey: z.string().optional(),
  handledAt: z.string(),
});
export type VendorRequestMarker = z.infer<typeof MarkerSchema>;

export interface VendorRequestOutcome extends VendorRequestMarker {
  readonly erasure?: ErasureOutcome;
  /** shop/redact: the erasures of everyone the connection knew. */
  readonly erasures?: readonly ErasureOutcome[];
}

interface Pending {
  readonly hash: string;
  readonly source: string;
  readonly stream: string;
  readonly kind: PrivacyRequestKind;
  readonly connection: string;
  readonly identifiers: { kind: string; value: string }[];
}

export async function handleVendorRequests(deps: ErasureDeps): Promise<VendorRequestOutcome[]> {
  const done = new Set(
    (await deps.store.list(REQUESTS_PREFIX)).map((o) => o.key.slice(REQUESTS_PREFIX.length)),
  );
  const outcomes: VendorRequestOutcome[] = [];
  for (const request of await pendingRequests(deps, done)) {
    const outcome = await handle(deps, request);
    const { erasure: _, erasures: __, ...marker } = outcome;
    await deps.store.put(`${REQUESTS_PREFIX}${request.hash}.json`, JSON.stringify(marker), {
      contentType: "application/json",
    });
    outcomes.push(outcome);
  }
  return outcomes;
}

async function pendingRequests(deps: ErasureDeps, done: ReadonlySet<string>): Promise<Pending[]> {
  const pending: Pending[] = [];
  for (const catalog of deps.catalogs) {
    for (const [stream, entry] of Object.entries(catalog.streams)) {
      if (!entry.privacyRequest) continue;
      for (const object of await deps.store.list(`raw/${catalog.source}/${stream}/`)) {
        const bytes = await deps.store.get(object.key);
        if (!bytes) continue;
        for (const line of Buffer.from(bytes).toString("utf8").split("\n")) {
          if (line.trim() === "") continue;
          const record = parseJsonExact(line) as {
            _record_id?: unknown;
            _connection?: unknown;
            payload?: unknown;
          };
          const hash = sha256(`${catalog.source}/${stream}/${String(record._record_id)}`);
          if (done.has(`${hash}.json`) || pending.some((p) => p.hash === hash)) continue;
          const identifiers = entry.identifiers.flatMap((p) =>
            valuesAt(record.payload, p.path)
              .filter((v) => v !== null && v !== undefined && String(v).trim() !== "")
              .map((v) => ({ kind: p.kind, value: String(v) })),
          );
          pending.push({
            hash,
            source: catalog.source,
            stream,
            kind: entry.privacyRequest,
            connection: String(record._connection ?? DEFAULT_CONNECTION),
            identifiers,
          });
        }
      }
    }
  }
  return pending;
}

async function handle(deps: ErasureDeps, request: Pending): Promise<VendorRequestOutcome> {
  const base = {
    kind: request.kind,
    source: request.source,
    stream: request.stream,
    handledAt: deps.clock.now().toISOString(),
  };
  const origin = `${request.source} ${request.stream}`;
  if (request.kind === "erase_connection") {
    // shop/redact: everyone the shop's connection knew. Not the record id's hash in the ids:
    // each chunk's id is its identifiers' hash (connection-erasure.ts).
    const { erasures } = await eraseConnection(deps, {
      source: request.source,
      connection: request.connection,
      origin,
    });
    const done = erasures.every((e) => e.state.status === "completed");
    return { ...base, status: done ? "erased" : "erasure_waiting", erasures };
  }
  if (request.identifiers.length === 0) {
    deps.logger.error(
      { source: request.source, stream: request.stream, request: request.hash.slice(0, 16) },
      "privacy request needs an operator: it names no person the declarations can find (docs/privacy.md)",
    );
    return { ...base, status: "needs_operator" };
  }
  if (request.kind === "export_person") {
    const access = parseAccessRequest({
      kind: "export",
      origin,
      identifiers: request.identifiers,
    });
    const document = await exportPerson(deps, access, deps.clock.now());
    // Dated, so retention can delete it (core/privacy/retention.ts).
    const dt = deps.clock.now().toISOString().slice(0, 10);
    const exportKey = `${EXPORTS_PREFIX}dt=${dt}/${request.hash.slice(0, 32)}.json`;
    await deps.store.put(exportKey, accessDocumentJson(document), {
      contentType: "application/json",
    });
    return { ...base, status: "exported", exportKey };
  }
  const erasureId = `er_${request.source}_${request.hash.slice(0, 32)}`;
  const erasure = await runErasure(
    deps,
    parseErasureRequest({ kind: "erase", erasureId, origin, identifiers: request.identifiers }),
  );
  const status = erasure.state.status === "completed" ? "erased" : "erasure_waiting";
  return { ...base, status, erasureId, erasure };
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export function parseVendorRequestMarker(text: string): VendorRequestMarker {
  return MarkerSchema.parse(JSON.parse(text));
}
