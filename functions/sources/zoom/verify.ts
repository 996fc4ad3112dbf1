import { createHmac, timingSafeEqual } from "node:crypto";
import type { Verdict, VerifyContext, WebhookDelivery } from "../../core/ingest/source.js";

/** The app's Secret Token (Zoom App Marketplace → Features → Access → Secret Token). */
export const ZOOM_SECRET = "ZOOM_WEBHOOK_SECRET_TOKEN";
/** Set while regenerating the token: deliveries signed with either are accepted. */
export const ZOOM_SECRET_PREVIOUS = "ZOOM_WEBHOOK_SECRET_TOKEN_PREVIOUS";

export const ZOOM_HEADERS = {
  signature: "x-zm-signature",
  timestamp: "x-zm-request-timestamp",
} as const;

/** Policy (Zoom publishes none): a signed timestamp more than 5 minutes off is a replay. */
export const ZOOM_REPLAY_WINDOW_SECONDS = 300;

/** `v0=` + hex HMAC-SHA256(secret, `v0:<timestamp>:<raw body>`): the `x-zm-signature` value. */
export function zoomSignature(
  secret: string,
  timestamp: string,
  rawBody: Uint8Array | string,
): string {
  const hmac = createHmac("sha256", secret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(rawBody);
  return `v0=${hmac.digest("hex")}`;
}

/** The configured secrets by name, current first. */
export function zoomSecrets(context: Pick<VerifyContext, "secrets">): string[] {
  return [context.secrets.get(ZOOM_SECRET), context.secrets.get(ZOOM_SECRET_PREVIOUS)].filter(
    (s): s is string => s !== undefined && s !== "",
  );
}

/**
 * Verifies a Zoom webhook over the raw bytes, before anything is parsed: the signature header is
 * compared, as sent, with `v0=<lower-case hex>` in constant time (an upper-cased or otherwise
 * re-encoded value is not a match), with either configured secret; then the signed timestamp
 * (seconds) must be within 300 s of our clock. Zoom signs `endpoint.url_validation` requests
 * too, so they pass here first.
 */
export function verifyZoomDelivery(delivery: WebhookDelivery, context: VerifyContext): Verdict {
  const secrets = zoomSecrets(context);
  if (secrets.length === 0) {
    return { ok: false, kind: "unconfigured", reason: `${ZOOM_SECRET} is not set` };
  }
  const signature = exactHeader(delivery, ZOOM_HEADERS.signature);
  const timestamp = exactHeader(delivery, ZOOM_HEADERS.timestamp);
  if (signature === "") return { ok: false, kind: "rejected", reason: "missing_signature" };
  if (timestamp === "") return { ok: false, kind: "rejected", reason: "missing_timestamp" };
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, kind: "rejected", reason: "invalid_timestamp" };
  }
  if (signature === undefined || !/^v0=[0-9a-f]{64}$/.test(signature)) {
    return { ok: false, kind: "rejected", reason: "invalid_signature" };
  }
  const claimed = Buffer.from(signature, "utf8");
  const valid = secrets.some((secret) => {
    const expected = Buffer.from(zoomSignature(secret, timestamp, delivery.rawBody), "utf8");
    return expected.length === claimed.length && timingSafeEqual(expected, claimed);
  });
  if (!valid) return { ok: false, kind: "rejected", reason: "invalid_signature" };
  const skew = Math.abs(context.now.getTime() / 1000 - Number(timestamp));
  if (skew > ZOOM_REPLAY_WINDOW_SECONDS) {
    return { ok: false, kind: "rejected", reason: "timestamp_outside_replay_window" };
  }
  return { ok: true };
}

/** The secret whose signature matches this (already verified) delivery. */
export function signingSecret(
  delivery: WebhookDelivery,
  context: VerifyContext,
): string | undefined {
  const signature = exactHeader(delivery, ZOOM_HEADERS.signature);
  const timestamp = exactHeader(delivery, ZOOM_HEADERS.timestamp);
  if (!signature || !timestamp) return undefined;
  return zoomSecrets(context).find(
    (secret) => zoomSignature(secret, timestamp, delivery.rawBody) === signature,
  );
}

/** The header's one value as sent; `""` when absent or blank, `undefined` when sent twice. */
function exactHeader(delivery: WebhookDelivery, name: string): string | undefined {
  const value = delivery.headers[name];
  if (value === undefined) return "";
  if (typeof value !== "string") return undefined;
  return value.trim() === "" ? "" : value;
}
