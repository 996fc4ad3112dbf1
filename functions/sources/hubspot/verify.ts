import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Verdict, VerifyContext, WebhookDelivery } from "../../core/ingest/source.js";
import { headerValue } from "../../core/ingest/source.js";

/** The app's client secret (Developer account → app → Auth), and the previous one while rotating. */
export const HUBSPOT_SECRET = "HUBSPOT_CLIENT_SECRET";
export const HUBSPOT_SECRET_PREVIOUS = "HUBSPOT_CLIENT_SECRET_PREVIOUS";
/**
 * The public base URL HubSpot calls (e.g. `https://hooks.example.com`), when the Host header our
 * server sees is not the one HubSpot signed (a proxy that rewrites it). Not a secret; read through
 * the same settings port.
 */
export const HUBSPOT_PUBLIC_URL = "UNISTACK_PUBLIC_BASE_URL";

export const HUBSPOT_HEADERS = {
  signature: "x-hubspot-signature-v3",
  timestamp: "x-hubspot-request-timestamp",
} as const;

/** HubSpot: "reject the request if the timestamp is older than 5 minutes". */
export const HUBSPOT_REPLAY_WINDOW_MS = 5 * 60 * 1000;

/** The characters HubSpot's v3 instructions decode in the request URI before signing. */
const DECODED: Readonly<Record<string, string>> = {
  "%3A": ":",
  "%2F": "/",
  "%3F": "?",
  "%40": "@",
  "%21": "!",
  "%24": "$",
  "%27": "'",
  "%28": "(",
  "%29": ")",
  "%2A": "*",
  "%2C": ",",
  "%3B": ";",
};

export function hubspotSignedUri(uri: string): string {
  return uri.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (m) => DECODED[m.toUpperCase()] ?? m,
  );
}

/** base64(HMAC-SHA256(client secret, method + uri + body + timestamp)): the v3 header value. */
export function hubspotSignatureV3(
  secret: string,
  input: { method: string; uri: string; body: Uint8Array | string; timestamp: string },
): string {
  return createHmac("sha256", secret)
    .update(input.method)
    .update(hubspotSignedUri(input.uri))
    .update(input.body)
    .update(input.timestamp)
    .digest("base64");
}

/**
 * The legacy signatures, for completeness and to check against HubSpot's own vectors: v1 is
 * hex(SHA-256(secret + body)), v2 hex(SHA-256(secret + method + uri + body)). Deliveries are only
 * accepted with v3: v1 and v2 carry no timestamp, so a captured request could be replayed for ever.
 */
export function hubspotLegacySignature(
  version: "v1" | "v2",
  secret: string,
  input: { method: string; uri: string; body: string },
): string {
  const source =
    version === "v1" ? secret + input.body : secret + input.method + input.uri + input.body;
  return createHash("sha256").update(source).digest("hex");
}

/**
 * Verifies `X-HubSpot-Signature-v3` over the raw bytes: the timestamp must be within 5 minutes of
 * our clock (either way: a timestamp from the future is as suspect as a stale one), the signature
 * is compared in constant time, exactly as sent, with the current and (while rotating) the
 * previous client secret. The URI is the public URL HubSpot called: `UNISTACK_PUBLIC_BASE_URL` +
 * path when set, else `https://` + Host + path (HubSpot only calls https URLs).
 */
export function verifyHubspotDelivery(delivery: WebhookDelivery, context: VerifyContext): Verdict {
  const secrets = [
    context.secrets.get(HUBSPOT_SECRET),
    context.secrets.get(HUBSPOT_SECRET_PREVIOUS),
  ].filter((s): s is string => s !== undefined);
  if (secrets.length === 0) {
    return { ok: false, kind: "unconfigured", reason: `${HUBSPOT_SECRET} is not set` };
  }
  const signature = headerValue(delivery.headers, HUBSPOT_HEADERS.signature);
  const timestamp = headerValue(delivery.headers, HUBSPOT_HEADERS.timestamp);
  if (!signature?.trim()) return { ok: false, kind: "rejected", reason: "missing_signature" };
  if (!timestamp?.trim()) return { ok: false, kind: "rejected", reason: "missing_timestamp" };
  if (typeof delivery.headers[HUBSPOT_HEADERS.signature] !== "string") {
    return { ok: false, kind: "rejected", reason: "invalid_signature" };
  }
  if (!/^\d{1,15}$/.test(timestamp))
    return { ok: false, kind: "rejected", reason: "invalid_timestamp" };
  if (Math.abs(context.now.getTime() - Number(timestamp)) > HUBSPOT_REPLAY_WINDOW_MS) {
    return { ok: false, kind: "rejected", reason: "timestamp_outside_replay_window" };
  }
  const host = headerValue(delivery.headers, "host");
  const base =
    context.secrets.get(HUBSPOT_PUBLIC_URL)?.replace(/\/+$/, "") ??
    (host ? `https://${host}` : undefined);
  if (!base) return { ok: false, kind: "rejected", reason: "missing_headers: Host" };
  const uri = `${base}${delivery.url}`;
  const claimed = Buffer.from(signature, "utf8");
  const matches = secrets.some((secret) => {
    const expected = Buffer.from(
      hubspotSignatureV3(secret, {
        method: delivery.method.toUpperCase(),
        uri,
        body: delivery.rawBody,
        timestamp,
      }),
      "utf8",
    );
    return claimed.length === expected.length && timingSafeEqual(claimed, expected);
  });
  return matches ? { ok: true } : { ok: false, kind: "rejected", reason: "invalid_signature" };
}
