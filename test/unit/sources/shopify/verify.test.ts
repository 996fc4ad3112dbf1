import { describe, expect, it } from "vitest";
import { signShopifyDelivery } from "../../../../functions/cli/demo/synthetic/sign-shopify.js";
import { createEnvSecrets } from "../../../../functions/platform/env-secrets.js";
import {
  shopifyHmac,
  verifyShopifyDelivery,
} from "../../../../functions/sources/shopify/verify.js";
import { shopifyVectors } from "../vectors.js";

const vectors = shopifyVectors.hmac_vectors.vectors;
const valid = vectors.find((v) => v.name === "valid");
if (!valid?.secret || !valid.raw_body || !valid.headers) throw new Error("valid vector missing");
const { secret, raw_body: rawBody, headers: vectorHeaders } = valid;
const now = new Date("2026-01-01T00:00:00Z");

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function check(input: {
  body?: string;
  hmac?: string;
  headers?: Record<string, string>;
  env?: Record<string, string>;
}) {
  const headers = lower({
    ...vectorHeaders,
    "X-Shopify-Hmac-Sha256": input.hmac ?? (valid?.expected_hmac_sha256_base64 as string),
    ...input.headers,
  });
  return verifyShopifyDelivery(
    { method: "POST", url: "/", headers, rawBody: Buffer.from(input.body ?? rawBody) },
    { secrets: createEnvSecrets(input.env ?? { SHOPIFY_WEBHOOK_SECRET: secret }), now },
  );
}

describe("Shopify webhook verification (Shopify's own vectors)", () => {
  it("computes the vector's base64 HMAC-SHA256 over the raw body", () => {
    expect(shopifyHmac(secret, rawBody)).toBe(valid.expected_hmac_sha256_base64);
    expect(signShopifyDelivery(secret, rawBody)).toEqual({
      "X-Shopify-Hmac-Sha256": valid.expected_hmac_sha256_base64,
    });
  });

  it("accepts the valid vector", () => {
    expect(check({})).toEqual({ ok: true });
  });

  it("rejects the invalid_hmac vector", () => {
    const vector = vectors.find((v) => v.name === "invalid_hmac");
    expect(vector?.header_hmac).toBe("fake");
    expect(check({ hmac: vector?.header_hmac as string })).toEqual({
      ok: false,
      kind: "rejected",
      reason: "invalid_hmac",
    });
  });

  it.each([
    "X-Shopify-API-Version",
    "X-Shopify-Shop-Domain",
    "X-Shopify-Hmac-Sha256",
    "X-Shopify-Topic",
    "X-Shopify-Webhook-Id",
  ])("rejects a delivery whose %s header is empty (missing_header vector)", (header) => {
    expect(check({ headers: { [header]: "" } })).toEqual({
      ok: false,
      kind: "rejected",
      reason: `missing_headers: ${header}`,
    });
  });

  it("rejects an empty body (missing_body vector)", () => {
    expect(check({ body: "" })).toMatchObject({ ok: false, reason: "missing_body" });
  });

  it("rejects a Shopify webhook whose body was changed after signing", () => {
    expect(check({ body: rawBody.replace("bar", "baz") })).toMatchObject({
      ok: false,
      reason: "invalid_hmac",
    });
  });

  it("accepts a delivery signed with the previous secret during a rotation", () => {
    const env = { SHOPIFY_WEBHOOK_SECRET: "new-secret", SHOPIFY_WEBHOOK_SECRET_PREVIOUS: secret };
    expect(check({ env })).toEqual({ ok: true });
    expect(check({ env, hmac: shopifyHmac("new-secret", rawBody) })).toEqual({ ok: true });
  });

  it("rejects a delivery signed with a secret that is neither current nor previous", () => {
    const env = { SHOPIFY_WEBHOOK_SECRET: "new-secret", SHOPIFY_WEBHOOK_SECRET_PREVIOUS: "older" };
    expect(check({ env })).toMatchObject({ ok: false, reason: "invalid_hmac" });
  });

  it("reports an unconfigured secret instead of rejecting the vendor", () => {
    expect(check({ env: {} })).toEqual({
      ok: false,
      kind: "unconfigured",
      reason: "SHOPIFY_WEBHOOK_SECRET is not set",
    });
  });

  it.each([
    ["with a leading space", (h: string) => ` ${h}`],
    ["with a trailing newline-free tab", (h: string) => `${h}\t`],
    ["without its base64 padding", (h: string) => h.replace(/=+$/, "")],
    ["with extra padding", (h: string) => `${h}=`],
    ["with a line break inside", (h: string) => `${h.slice(0, 20)}\n${h.slice(20)}`],
    ["in hex instead of base64", (h: string) => Buffer.from(h, "base64").toString("hex")],
  ])("rejects the right HMAC sent %s (the header is compared as sent)", (_name, mangle) => {
    const hmac = mangle(valid?.expected_hmac_sha256_base64 as string);
    expect(check({ hmac })).toEqual({ ok: false, kind: "rejected", reason: "invalid_hmac" });
  });

  it("rejects the right HMAC re-encoded in base64url", () => {
    // A body whose HMAC has a + or /, so the base64url form differs from what Shopify sends.
    const body = Array.from({ length: 50 }, (_, n) => `{"n":${n}}`).find((b) =>
      /[+/]/.test(shopifyHmac(secret, b)),
    ) as string;
    const hmac = shopifyHmac(secret, body).replaceAll("+", "-").replaceAll("/", "_");
    expect(check({ body, hmac })).toEqual({ ok: false, kind: "rejected", reason: "invalid_hmac" });
    expect(check({ body, hmac: shopifyHmac(secret, body) })).toEqual({ ok: true });
  });

  it("treats a whitespace-only HMAC header as missing", () => {
    expect(check({ hmac: "   " })).toEqual({
      ok: false,
      kind: "rejected",
      reason: "missing_headers: X-Shopify-Hmac-Sha256",
    });
  });
});
