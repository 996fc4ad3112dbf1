import type { Logger } from "../../platform/logger.js";
import type { Clock, ObjectStore, Secrets } from "../../platform/ports.js";
import type { RecordMatcher } from "../privacy/record-matcher.js";
import { withoutSuppressed } from "../privacy/suppress-records.js";
import type { SuppressionSource } from "../privacy/suppression-source.js";
import { quarantineObjectKey } from "../raw-table.js";
import { safeError } from "../safe-error.js";
import { type IngestConnection, resolveConnection, secretsOf } from "./connection.js";
import { checkEnvelope, DEFAULT_MAX_BODY_BYTES, tooLarge } from "./envelope.js";
import { parseJsonExact } from "./json-text.js";
import { type LandedRaw, landGroups } from "./land.js";
import { unparsedLine } from "./lines.js";
import { sha256, sortRecords } from "./sort-records.js";
import type { HeaderBag, JsonBody, WebhookDelivery, WebhookSource } from "./source.js";
import { headerValue } from "./source.js";

export { DEFAULT_MAX_BODY_BYTES } from "./envelope.js";

/** Stream under which bodies that are not JSON are quarantined, byte for byte. */
export const UNPARSED_STREAM = "unparsed";

export interface IngestDeps {
  readonly store: ObjectStore;
  readonly secrets: Secrets;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Sources by name (`webhookSources` from `functions/sources/registry.ts`). */
  readonly sources: ReadonlyMap<string, WebhookSource>;
  /** Erased people (core/privacy): their records are dropped before anything lands. */
  readonly suppression: SuppressionSource;
  readonly maxBodyBytes?: number;
  /**
   * Configured connections (`loadConnections`); a source without any has one, `default`, that
   * reads its secrets under their own names.
   */
  readonly connections?: readonly IngestConnection[];
  /**
   * Called once the delivery's raw objects are durably in the store (also when they were
   * already: a redelivery), before the 2xx: the realtime path publishes purchases here
   * (core/realtime). If it throws, the answer is 503, so the vendor retries and the hook runs
   * again; nothing lands twice.
   */
  readonly afterLanding?: (landed: {
    readonly source: string;
    readonly headers: HeaderBag;
    readonly receivedAt: string;
    readonly raw: readonly LandedRaw[];
  }) => Promise<void>;
}

export interface IngestRequest {
  /** Which source the endpoint serves, e.g. `shopify`. */
  readonly source: string;
  /** The connection the path names (`/webhooks/<source>/<connection>`); none = `default`. */
  readonly connection?: string;
  readonly method: string;
  readonly url: string;
  readonly headers: HeaderBag;
  readonly rawBody: Uint8Array;
}

export interface IngestCounts {
  /** Records written to raw by this request. */
  readonly accepted: number;
  /** Records written to quarantine by this request (contract failures, unroutable records). */
  readonly quarantined: number;
  /** Records not written because this delivery (or an earlier copy of the record) already was. */
  readonly duplicate: number;
  /** Records of erased people, dropped (only present when there were some). */
  readonly suppressed?: number;
}

export interface IngestResponse {
  readonly status: number;
  readonly body: IngestCounts | { readonly error: string };
  /**
   * A source's answer to an endpoint check (`WebhookSource.respond`): the HTTP adapters send this
   * JSON instead of `body` (whose counts are then all 0: nothing landed).
   */
  readonly reply?: Readonly<Record<string, string>>;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Ingests one webhook request: size limit → signature over the raw bytes → JSON → contract per
 * record → quarantine and raw objects written create-if-absent → 200 with counts. A 2xx is only
 * ever answered once everything the request carried is durably in the object store.
 */
export async function ingestWebhook(
  deps: IngestDeps,
  request: IngestRequest,
): Promise<IngestResponse> {
  const log = deps.logger.child({ source: request.source });
  const source = deps.sources.get(request.source);
  // The path names the source: it is the sender's text, so it is never echoed back.
  if (!source) return fail(404, "no webhook source at this path");
  const connection = resolveConnection(deps.connections ?? [], source.name, request.connection);
  if (!connection) return fail(404, "no webhook source at this path");
  const headers = lowerCaseHeaders(request.headers);
  const limit = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const refusal =
    checkEnvelope({ method: request.method, headers }, limit) ??
    (request.rawBody.byteLength > limit ? tooLarge(limit) : undefined);
  if (refusal) {
    log.warn({ status: refusal.status, bytes: request.rawBody.byteLength }, "webhook refused");
    return fail(refusal.status, refusal.error);
  }
  const delivery = { method: request.method, url: request.url, headers, rawBody: request.rawBody };
  const now = deps.clock.now();
  // Each connection is verified with its own secret: a shop cannot sign for another.
  const secrets = secretsOf(deps.secrets, connection);
  const verdict = source.verify(delivery, { secrets, now });
  if (!verdict.ok) {
    const status = verdict.kind === "unconfigured" ? 503 : 401;
    (status === 503 ? log.error.bind(log) : log.warn.bind(log))(
      { reason: verdict.reason },
      "webhook not verified",
    );
    return fail(status, verdict.reason);
  }
  const receivedAt = now.toISOString();
  let suppression: RecordMatcher;
  try {
    suppression = await deps.suppression.current();
  } catch (error) {
    log.error({ err: safeError(error) }, "suppression list unavailable; delivery not landed");
    return fail(503, "could not check the delivery against erasure requests; retry later");
  }
  const body = parseBody(request.rawBody);
  if (!body) return quarantineUnparsed(deps, log, source, delivery, now, suppression);
  const reply = source.respond?.(delivery, body, { secrets: deps.secrets, now });
  if (reply) {
    log.info({}, "endpoint check answered; nothing landed");
    return { status: 200, body: { accepted: 0, quarantined: 0, duplicate: 0 }, reply: reply.body };
  }

  const extraction = source.extract(delivery, body);
  const sorted = withoutSuppressed(
    source.name,
    sortRecords(source, extraction.records),
    suppression,
    now,
  );
  const groups = sorted.groups;
  try {
    const { raw, ...counts } = await landGroups(deps.store, log, {
      source: source.name,
      groups,
      now,
      receivedAt,
      replayHeaders: replayHeaders(source, delivery),
      connection,
    });
    const answer = sorted.suppressed > 0 ? { ...counts, suppressed: sorted.suppressed } : counts;
    if (!(await notified(deps, log, { source: source.name, headers, receivedAt, raw }))) {
      return fail(503, "the delivery is stored but could not be announced; retry later");
    }
    log.info(answer, "webhook ingested");
    return { status: 200, body: answer };
  } catch (error) {
    log.error({ err: safeError(error) }, "could not land batch");
    return fail(503, "could not store the delivery; retry later");
  }
}

/** Runs `afterLanding`; false (logged) when it failed, so the vendor retries the delivery. */
async function notified(
  deps: IngestDeps,
  log: Logger,
  landed: Parameters<NonNullable<IngestDeps["afterLanding"]>>[0],
): Promise<boolean> {
  if (!deps.afterLanding) return true;
  try {
    await deps.afterLanding(landed);
    return true;
  } catch (error) {
    log.error({ err: safeError(error) }, "delivery landed but not announced; answering 503");
    return false;
  }
}

function parseBody(rawBody: Uint8Array): JsonBody | undefined {
  try {
    const text = utf8.decode(rawBody);
    return { value: parseJsonExact(text), text };
  } catch {
    return undefined;
  }
}

/** Malformed JSON is answered 400, but the bytes are kept: nothing a vendor sent is lost. */
async function quarantineUnparsed(
  deps: IngestDeps,
  log: Logger,
  source: WebhookSource,
  delivery: WebhookDelivery,
  now: Date,
  suppression: RecordMatcher,
): Promise<IngestResponse> {
  const reason = "body is not valid UTF-8 JSON";
  const text = Buffer.from(delivery.rawBody).toString("utf8");
  if (suppression.names({ source: source.name, stream: UNPARSED_STREAM, json: text })) {
    // It names an erased person: kept nowhere, answered like any other unparsable body.
    log.warn({ bytes: delivery.rawBody.byteLength }, "unparsable body of an erased person dropped");
    return fail(400, reason);
  }
  const keep = replayHeaders(source, delivery);
  const batchId = sha256(delivery.rawBody).slice(0, 32);
  const key = quarantineObjectKey(
    source.name,
    UNPARSED_STREAM,
    now.toISOString().slice(0, 10),
    batchId,
  );
  const line = unparsedLine({
    reason,
    receivedAt: now.toISOString(),
    headers: keep,
    rawBody: delivery.rawBody,
  });
  try {
    await deps.store.put(key, `${line}\n`, { ifAbsent: true, contentType: "application/x-ndjson" });
  } catch (error) {
    log.error({ err: safeError(error) }, "could not quarantine an unparsable body");
    return fail(503, "could not store the delivery; retry later");
  }
  log.warn({ key, bytes: delivery.rawBody.byteLength }, "webhook body is not JSON; quarantined");
  return fail(400, reason);
}

/** The headers a replay needs to route a delivery again, as sent (kept in the lake, never logged). */
function replayHeaders(source: WebhookSource, delivery: WebhookDelivery): Record<string, string> {
  return Object.fromEntries(
    (source.replayHeaders ?? []).flatMap((name) => {
      const value = headerValue(delivery.headers, name.toLowerCase());
      return value === undefined ? [] : [[name, value]];
    }),
  );
}

function lowerCaseHeaders(headers: HeaderBag): Record<string, string | readonly string[]> {
  const out: Record<string, string | readonly string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = value;
  }
  return out;
}

function fail(status: number, error: string): IngestResponse {
  return { status, body: { error } };
}
