import type { Logger } from "../../platform/logger.js";
import type { ObjectStore, StoredObject } from "../../platform/ports.js";
import type { LakeFormat, LakePrefix } from "./declarations.js";
import {
  type RewriteResult,
  rewriteActivationBatch,
  rewriteNdjson,
  rewritePersonDocument,
  streamOfKey,
} from "./lake-objects.js";
import { lakePrefixOf } from "./lake-prefixes.js";
import type { Person } from "./person.js";
import { rewritePullJournal } from "./pull-journal-object.js";
import type { RecordMatcher } from "./record-matcher.js";

export interface LakeErasureDeps {
  readonly store: ObjectStore;
  readonly logger: Logger;
  readonly prefixes: readonly LakePrefix[];
  /** Before a loaded object is rewritten: delete its rows from its raw table (reloaded after). */
  readonly beforeRawRewrite: (
    stream: { source: string; stream: string },
    key: string,
  ) => Promise<void>;
  /** Called before each object: throws when the erasure must stop (its lease is lost). */
  readonly keepGoing: () => Promise<void>;
}

export interface LakeErasure {
  /** Records (lines, batch rows, documents) removed per location (`lake:raw/shopify/orders`). */
  readonly removed: Map<string, number>;
  /** `_record_id`s removed, per `<source>/<stream>`. */
  readonly recordIds: Map<string, string[]>;
  /** Objects read, rewritten, deleted. */
  readonly objects: { read: number; rewritten: number; deleted: number };
}

/**
 * Removes the person's records from the given lake objects. Each object is read, rewritten
 * without them (deleted when nothing is left) and only then counted; an object holding none is
 * left untouched, so running it again changes nothing. A raw object's rows leave its raw table
 * before it is rewritten: the loader loads the new version as new work.
 */
export async function eraseLakeObjects(
  deps: LakeErasureDeps,
  input: { objects: readonly StoredObject[]; person: Person; matcher: RecordMatcher },
): Promise<LakeErasure> {
  const result: LakeErasure = {
    removed: new Map(),
    recordIds: new Map(),
    objects: { read: 0, rewritten: 0, deleted: 0 },
  };
  for (const object of input.objects) {
    const prefix = lakePrefixOf(deps.prefixes, object.key);
    if (!prefix) throw undeclared(object.key);
    if (prefix.format === "none") continue;
    await deps.keepGoing();
    const bytes = await deps.store.get(object.key);
    if (!bytes) continue;
    result.objects.read++;
    const text = Buffer.from(bytes).toString("utf8");
    const stream = streamOfKey(object.key);
    const outcome = rewrite(prefix.format, text, object.key, input);
    if (outcome.removed === 0) continue;
    if (prefix.loaded && stream) await deps.beforeRawRewrite(stream, object.key);
    if (outcome.text === null) {
      await deps.store.delete(object.key);
      result.objects.deleted++;
    } else {
      await deps.store.put(object.key, outcome.text, { contentType: object.contentType });
      result.objects.rewritten++;
    }
    const location = `lake:${locationOf(prefix, object.key)}`;
    result.removed.set(location, (result.removed.get(location) ?? 0) + outcome.removed);
    if (stream && outcome.recordIds.length > 0) {
      const id = `${stream.source}/${stream.stream}`;
      result.recordIds.set(id, [...(result.recordIds.get(id) ?? []), ...outcome.recordIds]);
    }
  }
  deps.logger.info(
    { ...result.objects, locations: result.removed.size },
    "lake objects checked for the person",
  );
  return result;
}

function rewrite(
  format: LakeFormat,
  text: string,
  key: string,
  input: { person: Person; matcher: RecordMatcher },
): RewriteResult {
  if (format === "activation-batch") return rewriteActivationBatch(text, input.person.contactIds);
  if (format === "person-document") {
    return rewritePersonDocument(text, input.person.contactIds, input.matcher);
  }
  if (format === "pull-journal") return rewritePullJournal(text, key, input.matcher);
  const stream = streamOfKey(key) ?? { source: "", stream: "" };
  return rewriteNdjson(text, stream, input.matcher);
}

/** `raw/shopify/orders`, `activation/<sync>`, `privacy/exports`: where, without the file name. */
function locationOf(prefix: LakePrefix, key: string): string {
  const rest = key.slice(prefix.prefix.length).split("/");
  if (prefix.format === "ndjson-records") return `${prefix.prefix}${rest.slice(0, 2).join("/")}`;
  if (prefix.format === "activation-batch") return `${prefix.prefix}${rest[0] ?? ""}`;
  return prefix.prefix.replace(/\/$/, "");
}

export function undeclared(key: string): Error {
  const top = key.split("/")[0] ?? key;
  return new Error(
    `the lake holds objects under "${top}/" that no declaration covers, so they cannot be checked for the person: declare the prefix in functions/core/privacy/lake-prefixes.ts (its format, or why it holds no personal data)`,
  );
}
