import { describe, expect, it } from "vitest";
import { createEnvSecrets } from "../../../../functions/platform/env-secrets.js";
import { zoomEncryptedToken } from "../../../../functions/sources/zoom/extract.js";
import {
  verifyZoomDelivery,
  ZOOM_SECRET,
  ZOOM_SECRET_PREVIOUS,
  zoomSignature,
} from "../../../../functions/sources/zoom/verify.js";
import { type ZoomSignatureVector, zoomVectors } from "./vectors.js";

const vectors = zoomVectors.signature_verification.vectors;
const CONFIGURED = "4fv1RkqGQUq5sWbEz6hA5A";

function verify(
  vector: Pick<ZoomSignatureVector, "raw_body" | "x_zm_request_timestamp" | "x_zm_signature">,
  options: { env?: Record<string, string>; now?: Date; headers?: Record<string, string> } = {},
) {
  const now = options.now ?? new Date(Number(vector.x_zm_request_timestamp) * 1000);
  return verifyZoomDelivery(
    {
      method: "POST",
      url: "/webhooks/zoom",
      headers: {
        "x-zm-signature": vector.x_zm_signature,
        "x-zm-request-timestamp": vector.x_zm_request_timestamp,
        ...options.headers,
      },
      rawBody: Buffer.from(vector.raw_body, "utf8"),
    },
    { secrets: createEnvSecrets(options.env ?? { [ZOOM_SECRET]: CONFIGURED }), now },
  );
}

describe("Zoom x-zm-signature verification (every vector of zoom-webhook.json)", () => {
  it.each(vectors.map((v) => [v.name, v] as const))("%s", (_name, vector) => {
    // Each vector is checked with the secret it names and at its own signed instant, so the
    // verdict is the signature's alone.
    const verdict = verify(vector, { env: { [ZOOM_SECRET]: vector.secret_token } });
    expect(verdict.ok).toBe(vector.expected_valid);
    if (!vector.expected_valid) expect(verdict).toMatchObject({ kind: "rejected" });
  });

  it("computes the vectors' signatures from v0:<timestamp>:<raw body bytes>", () => {
    for (const vector of vectors.filter((v) => v.expected_valid)) {
      expect(
        zoomSignature(vector.secret_token, vector.x_zm_request_timestamp, vector.raw_body),
      ).toBe(vector.x_zm_signature);
    }
  });

  it("answers the url_validation vectors with hex HMAC-SHA256 of the plainToken", () => {
    for (const vector of zoomVectors.url_validation.vectors) {
      expect(zoomEncryptedToken(vector.secret_token, vector.plainToken)).toBe(
        vector.expected_encryptedToken,
      );
    }
  });

  const valid = vectors.find((v) => v.name === "valid_url_validation_body");
  if (!valid) throw new Error("zoom-webhook.json lost valid_url_validation_body");
  const signedAt = new Date(Number(valid.x_zm_request_timestamp) * 1000);

  it("accepts a delivery signed with the previous secret while the token is rotated", () => {
    expect(
      verify(valid, {
        env: { [ZOOM_SECRET]: "the-new-token", [ZOOM_SECRET_PREVIOUS]: CONFIGURED },
      }),
    ).toEqual({ ok: true });
    expect(verify(valid, { env: { [ZOOM_SECRET]: "the-new-token" } })).toMatchObject({
      ok: false,
      reason: "invalid_signature",
    });
  });

  it("refuses a genuine signature older or newer than 300 seconds, accepts it at 300", () => {
    const at = (seconds: number) => new Date(signedAt.getTime() + seconds * 1000);
    expect(verify(valid, { now: at(301) })).toMatchObject({
      reason: "timestamp_outside_replay_window",
    });
    expect(verify(valid, { now: at(-301) })).toMatchObject({
      reason: "timestamp_outside_replay_window",
    });
    expect(verify(valid, { now: at(300) })).toEqual({ ok: true });
  });

  it.each([
    ["missing signature", { "x-zm-signature": "" }, "missing_signature"],
    ["missing timestamp", { "x-zm-request-timestamp": " " }, "missing_timestamp"],
    [
      "timestamp in milliseconds",
      { "x-zm-request-timestamp": "1720705455000" },
      "invalid_timestamp",
    ],
    ["non-numeric timestamp", { "x-zm-request-timestamp": "1720705455.0" }, "invalid_timestamp"],
    [
      "a v1 scheme",
      { "x-zm-signature": valid.x_zm_signature.replace("v0=", "v1=") },
      "invalid_signature",
    ],
    [
      "padding around the value",
      { "x-zm-signature": ` ${valid.x_zm_signature}` },
      "invalid_signature",
    ],
    [
      "a truncated digest",
      { "x-zm-signature": valid.x_zm_signature.slice(0, -2) },
      "invalid_signature",
    ],
  ])("refuses a delivery with %s", (_name, headers, reason) => {
    expect(verify(valid, { headers })).toEqual({ ok: false, kind: "rejected", reason });
  });

  it("answers 'unconfigured' (503, retry later) while no secret token is set", () => {
    expect(verify(valid, { env: {} })).toEqual({
      ok: false,
      kind: "unconfigured",
      reason: `${ZOOM_SECRET} is not set`,
    });
  });
});
