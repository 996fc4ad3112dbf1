import { createHash } from "node:crypto";
import { accessDocumentJson, exportPerson } from "../core/privacy/access-export.js";
import type { AccessRequest } from "../core/privacy/access-request.js";
import { type ErasureDeps, resumeErasures, runErasure } from "../core/privacy/erasure.js";
import { parsePrivacyMessage } from "../core/privacy/privacy-message.js";
import {
  EXPORTS_PREFIX,
  handleVendorRequests,
  parseVendorRequestMarker,
  REQUESTS_PREFIX,
  type VendorRequestMarker,
} from "../core/privacy/vendor-requests.js";
import { type CloudEvent, decodePubsubJson } from "../platform/cloudevents.js";

export type PrivacyOutcome =
  | {
      readonly action: "erasure";
      readonly erasureId: string;
      readonly status: string;
      readonly reportKey?: string;
    }
  | { readonly action: "export"; readonly exportKey: string; readonly already: boolean }
  | {
      readonly action: "sweep";
      readonly vendorRequests: readonly Pick<VendorRequestMarker, "stream" | "status">[];
      readonly resumed: readonly { readonly erasureId: string; readonly status: string }[];
    };

/**
 * The privacy-requests function: one message, one request, run by the same code `unistack erase`
 * and `unistack export` run, on whatever adapters the deps carry (BigQuery DML and Cloud Storage
 * rewrites in the cloud). Idempotent by construction:
 * - an erasure's id comes from the message (erasureId, or the Pub/Sub message id), and its state
 *   in `privacy/erasures/<id>.json` says how far it got: a redelivery continues it, a completed one
 *   only writes the same report again;
 * - an access request leaves a marker under `privacy/requests/`: a redelivery finds it and does
 *   nothing; its document's key depends on the request id and the publish date only, so a
 *   redelivery after a crash between document and marker rewrites the same object;
 * - a sweep handles vendor requests once each (their own markers) and continues erasures.
 * An invalid message throws (paths and rules only, never values): it is redelivered, then kept in
 * the dead-letter topic for an operator.
 */
export async function handlePrivacyEvent(
  deps: ErasureDeps,
  event: CloudEvent<unknown>,
): Promise<PrivacyOutcome> {
  const { data, messageId } = decodePubsubJson(event);
  const message = parsePrivacyMessage(data, messageId);
  const log = deps.logger.child({ eventId: event.id, kind: message.kind });
  if (message.kind === "erase") {
    const outcome = await runErasure(deps, message.request);
    log.info(
      { erasureId: outcome.state.id, status: outcome.state.status },
      "privacy request: erasure",
    );
    return {
      action: "erasure",
      erasureId: outcome.state.id,
      status: outcome.state.status,
      ...(outcome.reportKey ? { reportKey: outcome.reportKey } : {}),
    };
  }
  if (message.kind === "export") {
    const publishedAt = event.time ? new Date(event.time) : deps.clock.now();
    const outcome = await exportOnce(deps, message.request, publishedAt);
    log.info({ exportKey: outcome.exportKey, already: outcome.already }, "privacy request: export");
    return { action: "export", ...outcome };
  }
  const resumed = (await resumeErasures(deps)).map((o) => ({
    erasureId: o.state.id,
    status: o.state.status,
  }));
  const vendorRequests = (await handleVendorRequests(deps)).map((o) => ({
    stream: o.stream,
    status: o.status,
  }));
  log.info({ vendorRequests, resumed }, "privacy sweep");
  return { action: "sweep", vendorRequests, resumed };
}

async function exportOnce(
  deps: ErasureDeps,
  request: AccessRequest,
  publishedAt: Date,
): Promise<{ exportKey: string; already: boolean }> {
  const hash = createHash("sha256")
    .update(`pubsub/export/${request.requestId ?? ""}`)
    .digest("hex");
  const markerKey = `${REQUESTS_PREFIX}${hash}.json`;
  const existing = await deps.store.get(markerKey);
  if (existing) {
    const marker = parseVendorRequestMarker(Buffer.from(existing).toString("utf8"));
    if (marker.exportKey) return { exportKey: marker.exportKey, already: true };
  }
  const document = await exportPerson(deps, request, deps.clock.now());
  // Dated by the publish time, so retention deletes it and a redelivery writes the same key.
  const dt = publishedAt.toISOString().slice(0, 10);
  const exportKey = `${EXPORTS_PREFIX}dt=${dt}/${hash.slice(0, 32)}.json`;
  await deps.store.put(exportKey, accessDocumentJson(document), {
    contentType: "application/json",
  });
  const marker: VendorRequestMarker = {
    kind: "export_person",
    source: "pubsub",
    stream: "privacy-requests",
    status: "exported",
    exportKey,
    handledAt: deps.clock.now().toISOString(),
  };
  await deps.store.put(markerKey, JSON.stringify(marker), { contentType: "application/json" });
  return { exportKey, already: false };
}
