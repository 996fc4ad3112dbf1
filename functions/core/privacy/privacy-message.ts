import { createHash } from "node:crypto";
import { z } from "zod";
import { type AccessRequest, parseAccessRequest } from "./access-request.js";
import { type ErasureRequest, parseErasureRequest } from "./erasure-request.js";

/** The Pub/Sub topic privacy requests arrive on (infra/privacy.tf). */
export const PRIVACY_REQUESTS_TOPIC = "privacy-requests";

/**
 * A message on `privacy-requests`, as an operator or a ticketing tool publishes it:
 * - `{"kind":"erase","emails":[…],"contactIds":[…]}`: an erasure (erasure-request.ts);
 * - `{"kind":"export","emails":[…]}`: an access request (access-request.ts);
 * - `{"kind":"sweep"}`: what Cloud Scheduler publishes every 15 minutes: handle the privacy
 *   requests vendors sent as records (Shopify's customers/redact, customers/data_request,
 *   shop/redact) and continue erasures that wait for destinations.
 * Only the kind is read here; the rest is validated by the request's own schema, whose errors
 * name paths and rules, never the values (they are personal data).
 */
const KindSchema = z.object({ kind: z.enum(["erase", "export", "sweep"]) });

export type PrivacyMessage =
  | { readonly kind: "erase"; readonly request: ErasureRequest }
  | { readonly kind: "export"; readonly request: AccessRequest }
  | { readonly kind: "sweep" };

export class InvalidPrivacyMessageError extends Error {
  override readonly name = "InvalidPrivacyMessageError";
}

/**
 * Parses a message. Without an id of its own, an erasure or access request gets one derived from
 * the Pub/Sub message id, so a redelivered message continues the same erasure (or finds its
 * export done) instead of starting another.
 */
export function parsePrivacyMessage(data: unknown, messageId: string): PrivacyMessage {
  const kind = KindSchema.safeParse(data);
  if (!kind.success) {
    throw new InvalidPrivacyMessageError(
      'invalid privacy request: "kind" must be "erase", "export" or "sweep" (docs/privacy.md, "In the cloud")',
    );
  }
  const body = data as Record<string, unknown>;
  const id = createHash("sha256").update(messageId).digest("hex").slice(0, 32);
  try {
    if (kind.data.kind === "erase") {
      return {
        kind: "erase",
        request: parseErasureRequest({ origin: "pubsub", erasureId: `er_msg_${id}`, ...body }),
      };
    }
    if (kind.data.kind === "export") {
      return {
        kind: "export",
        request: parseAccessRequest({ origin: "pubsub", requestId: `ar_msg_${id}`, ...body }),
      };
    }
  } catch (error) {
    throw new InvalidPrivacyMessageError((error as Error).message);
  }
  return { kind: "sweep" };
}
