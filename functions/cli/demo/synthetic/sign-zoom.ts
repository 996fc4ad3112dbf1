import { zoomSignature } from "../../../sources/zoom/verify.js";

/**
 * The headers Zoom would send with this body: `x-zm-signature` (v0= hex HMAC-SHA256 of
 * `v0:<timestamp>:<body>` with the app's secret token) and `x-zm-request-timestamp` (unix
 * seconds; the demo passes its clock's now).
 */
export function signZoomDelivery(
  secret: string,
  timestamp: number | string,
  body: string | Uint8Array,
): { "x-zm-signature": string; "x-zm-request-timestamp": string } {
  const stamp = String(timestamp);
  return { "x-zm-signature": zoomSignature(secret, stamp, body), "x-zm-request-timestamp": stamp };
}
