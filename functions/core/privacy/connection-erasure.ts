import { createHash } from "node:crypto";
import { DEFAULT_CONNECTION } from "../ingest/connection.js";
import { parseJsonExact } from "../ingest/json-text.js";
import { type ErasureDeps, type ErasureOutcome, runErasure } from "./erasure.js";
import { parseErasureRequest } from "./erasure-request.js";
import { valuesAt } from "./json-path.js";

/** The most identifiers one erasure request takes (erasure-request.ts). */
const PER_ERASURE = 1_000;

export interface ConnectionErasure {
  /** People found in the connection's records, erased in erasures of ≤ 1,000 identifiers each. */
  readonly identifiers: number;
  readonly erasures: readonly ErasureOutcome[];
}

/**
 * Erases every person a connection of a source knows (Shopify's shop/redact: the shop uninstalled
 * the app and its customers' data must go): every identifier at a declared path of every record
 * of that source landed for that connection, in chunks of erasures. Each erasure is the normal
 * one, so a person is erased everywhere (also from other sources' data about them), and the
 * shop/redact record itself goes with the last chunk's scan. Idempotent: a chunk's erasure id is
 * the hash of its identifiers; a run stopped half-way leaves unfinished erasures (the sweep
 * resumes them) and, run again, finds only the people not erased yet.
 */
export async function eraseConnection(
  deps: ErasureDeps,
  input: { readonly source: string; readonly connection: string; readonly origin: string },
): Promise<ConnectionErasure> {
  const identifiers = await connectionIdentifiers(deps, input.source, input.connection);
  const erasures: ErasureOutcome[] = [];
  for (let i = 0; i < identifiers.length; i += PER_ERASURE) {
    const chunk = identifiers.slice(i, i + PER_ERASURE);
    const hash = createHash("sha256").update(JSON.stringify(chunk)).digest("hex").slice(0, 32);
    erasures.push(
      await runErasure(
        deps,
        parseErasureRequest({
          kind: "erase",
          erasureId: `er_${input.source}_conn_${hash}`,
          origin: input.origin,
          identifiers: chunk,
        }),
      ),
    );
  }
  deps.logger.info(
    { source: input.source, connection: input.connection, identifiers: identifiers.length },
    "connection erased",
  );
  return { identifiers: identifiers.length, erasures };
}

async function connectionIdentifiers(
  deps: ErasureDeps,
  source: string,
  connection: string,
): Promise<{ kind: string; value: string }[]> {
  const catalog = deps.catalogs.find((c) => c.source === source);
  if (!catalog) return [];
  const found = new Map<string, { kind: string; value: string }>();
  for (const [stream, entry] of Object.entries(catalog.streams)) {
    if (entry.identifiers.length === 0) continue;
    for (const object of await deps.store.list(`raw/${source}/${stream}/`)) {
      const bytes = await deps.store.get(object.key);
      if (!bytes) continue;
      for (const line of Buffer.from(bytes).toString("utf8").split("\n")) {
        if (line.trim() === "") continue;
        const record = parseJsonExact(line) as { _connection?: unknown; payload?: unknown };
        if (String(record._connection ?? DEFAULT_CONNECTION) !== connection) continue;
        for (const path of entry.identifiers) {
          for (const value of valuesAt(record.payload, path.path)) {
            if (value === null || value === undefined || String(value).trim() === "") continue;
            const text = String(value).slice(0, 320);
            found.set(`${path.kind}\u0000${text}`, { kind: path.kind, value: text });
          }
        }
      }
    }
  }
  return [...found.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
}
