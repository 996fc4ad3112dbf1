import type { HeaderBag } from "./source.js";
import { headerValue } from "./source.js";

/** Default cap on a webhook body; vendors send far less (SendGrid batches are ~1 MB at most). */
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

/** A refusal that needs no body: the HTTP server answers it before reading a byte. */
export interface EnvelopeRefusal {
  readonly status: 400 | 405 | 413 | 415;
  readonly error: string;
}

/**
 * Checks what a request says about itself before its body is read: the method, the codings
 * applied to the body, and its declared size. The HTTP server runs this before it reads the
 * stream, and `ingestWebhook` runs it again, so a request gets the same answer on every path.
 *
 * Content codings are refused (415), not decoded: Shopify and SendGrid document that they sign
 * the raw request body and neither documents compressed deliveries, so a compressed body is not
 * something they send, and inflating one would spend memory before the signature is known to be
 * good (docs/decisions.md, "Webhook bodies: no content codings").
 */
export function checkEnvelope(
  request: { readonly method: string; readonly headers: HeaderBag },
  maxBodyBytes: number = DEFAULT_MAX_BODY_BYTES,
): EnvelopeRefusal | undefined {
  if (request.method.toUpperCase() !== "POST") return { status: 405, error: "use POST" };
  if (!isIdentityCoding(request.headers, "content-encoding")) {
    return { status: 415, error: "content encodings are not accepted; send the body uncompressed" };
  }
  if (!isIdentityCoding(request.headers, "transfer-encoding", ["chunked"])) {
    return { status: 415, error: "transfer encodings other than chunked are not accepted" };
  }
  const declared = declaredLength(request.headers);
  if (declared === "invalid") return { status: 400, error: "invalid content-length" };
  if (declared !== undefined && declared > maxBodyBytes) return tooLarge(maxBodyBytes);
  return undefined;
}

export function tooLarge(maxBodyBytes: number): EnvelopeRefusal {
  return { status: 413, error: `body larger than ${maxBodyBytes} bytes` };
}

/** True when every coding listed in the header is `identity` (or one of `allowed`). */
function isIdentityCoding(
  headers: HeaderBag,
  name: string,
  allowed: readonly string[] = [],
): boolean {
  const raw = headers[name];
  if (raw === undefined) return true;
  const values = typeof raw === "string" ? [raw] : raw;
  return values
    .flatMap((value) => value.split(","))
    .map((token) => token.trim().toLowerCase())
    .every((token) => token === "" || token === "identity" || allowed.includes(token));
}

/** The Content-Length as a number; `invalid` for anything but one run of digits. */
function declaredLength(headers: HeaderBag): number | "invalid" | undefined {
  const value = headerValue(headers, "content-length");
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value.trim())) return "invalid";
  return Number(value.trim());
}
