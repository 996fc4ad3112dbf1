import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createEnvSecrets } from "../../../../functions/platform/env-secrets.js";
import {
  hubspotLegacySignature,
  hubspotSignatureV3,
  verifyHubspotDelivery,
} from "../../../../functions/sources/hubspot/verify.js";
import { vectorFile } from "../../../vectors-dir.js";

interface Vector {
  name: string;
  signature_version: "v1" | "v2" | "v3";
  client_secret: string;
  method: string;
  uri: string | null;
  body: string;
  timestamp: string | null;
  expected_signature: string;
}
const file = JSON.parse(readFileSync(vectorFile("hubspot-webhook.json"), "utf8")) as {
  signature_vectors: { vectors: Vector[] };
  payload_example: { body_raw: string };
};
const vectors = file.signature_vectors.vectors;

const SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
const NOW = new Date("2026-03-01T12:00:00Z");

function delivery(input: {
  body: string;
  timestamp?: string;
  signature?: string;
  host?: string;
  url?: string;
  method?: string;
  extra?: Record<string, string | string[]>;
}) {
  const headers: Record<string, string | string[]> = {
    host: input.host ?? "hooks.example.com",
  };
  if (input.timestamp !== undefined) headers["x-hubspot-request-timestamp"] = input.timestamp;
  if (input.signature !== undefined) headers["x-hubspot-signature-v3"] = input.signature;
  Object.assign(headers, input.extra);
  return {
    method: input.method ?? "POST",
    url: input.url ?? "/webhooks/hubspot",
    headers,
    rawBody: new TextEncoder().encode(input.body),
  };
}

const secrets = (env: Record<string, string> = { HUBSPOT_CLIENT_SECRET: SECRET }) =>
  createEnvSecrets(env);

function signed(
  body: string,
  at = NOW,
  secret = SECRET,
  uri = "https://hooks.example.com/webhooks/hubspot",
) {
  const timestamp = String(at.getTime());
  return {
    timestamp,
    signature: hubspotSignatureV3(secret, { method: "POST", uri, body, timestamp }),
  };
}

describe("HubSpot signatures", () => {
  it.each(vectors)("computes HubSpot's own vector $name", (v) => {
    const got =
      v.signature_version === "v3"
        ? hubspotSignatureV3(v.client_secret, {
            method: v.method,
            uri: v.uri ?? "",
            body: v.body,
            timestamp: v.timestamp ?? "",
          })
        : hubspotLegacySignature(v.signature_version, v.client_secret, {
            method: v.method,
            uri: v.uri ?? "",
            body: v.body,
          });
    expect(got).toBe(v.expected_signature);
  });

  it("accepts the v3 vector as a request at its own time, and refuses it as a replay today", () => {
    const v = vectors.find((x) => x.signature_version === "v3") as Vector;
    const request = delivery({
      body: v.body,
      timestamp: v.timestamp ?? "",
      signature: v.expected_signature,
      host: "www.example.com",
      url: "/webhook_uri",
    });
    const at = new Date(Number(v.timestamp) + 60_000);
    expect(
      verifyHubspotDelivery(request, {
        secrets: secrets({ HUBSPOT_CLIENT_SECRET: v.client_secret }),
        now: at,
      }),
    ).toEqual({ ok: true });
    expect(
      verifyHubspotDelivery(request, {
        secrets: secrets({ HUBSPOT_CLIENT_SECRET: v.client_secret }),
        now: NOW,
      }),
    ).toMatchObject({
      ok: false,
      reason: "timestamp_outside_replay_window",
    });
  });
});

describe("verifyHubspotDelivery", () => {
  const body = file.payload_example.body_raw;

  it("accepts a delivery signed with the current or, while rotating, the previous client secret", () => {
    const both = secrets({
      HUBSPOT_CLIENT_SECRET: "new-secret",
      HUBSPOT_CLIENT_SECRET_PREVIOUS: SECRET,
    });
    expect(
      verifyHubspotDelivery(delivery({ body, ...signed(body) }), { secrets: both, now: NOW }),
    ).toEqual({ ok: true });
    expect(
      verifyHubspotDelivery(delivery({ body, ...signed(body, NOW, "new-secret") }), {
        secrets: both,
        now: NOW,
      }),
    ).toEqual({ ok: true });
    expect(
      verifyHubspotDelivery(delivery({ body, ...signed(body, NOW, "other") }), {
        secrets: both,
        now: NOW,
      }),
    ).toMatchObject({ reason: "invalid_signature" });
  });

  it("refuses a body changed after signing, another path, another method and another host", () => {
    const sig = signed(body);
    const cases = [
      delivery({ body: body.replace("123", "124"), ...sig }),
      delivery({ body, ...sig, url: "/webhooks/hubspot/eu" }),
      delivery({ body, ...sig, method: "PUT" }),
      delivery({ body, ...sig, host: "evil.example.com" }),
    ];
    for (const request of cases) {
      expect(verifyHubspotDelivery(request, { secrets: secrets(), now: NOW })).toMatchObject({
        ok: false,
        kind: "rejected",
        reason: "invalid_signature",
      });
    }
  });

  it("refuses a timestamp more than 5 minutes old or ahead, and accepts one just inside", () => {
    for (const offset of [-301_000, 301_000]) {
      const at = new Date(NOW.getTime() + offset);
      expect(
        verifyHubspotDelivery(delivery({ body, ...signed(body, at) }), {
          secrets: secrets(),
          now: NOW,
        }),
      ).toMatchObject({
        reason: "timestamp_outside_replay_window",
      });
    }
    const inside = new Date(NOW.getTime() - 299_000);
    expect(
      verifyHubspotDelivery(delivery({ body, ...signed(body, inside) }), {
        secrets: secrets(),
        now: NOW,
      }),
    ).toEqual({ ok: true });
  });

  it("names what is missing or malformed, and compares the signature exactly as sent", () => {
    const sig = signed(body);
    const check = (request: ReturnType<typeof delivery>) =>
      verifyHubspotDelivery(request, { secrets: secrets(), now: NOW });
    expect(check(delivery({ body, timestamp: sig.timestamp }))).toMatchObject({
      reason: "missing_signature",
    });
    expect(check(delivery({ body, signature: sig.signature }))).toMatchObject({
      reason: "missing_timestamp",
    });
    expect(check(delivery({ body, signature: sig.signature, timestamp: "12e3" }))).toMatchObject({
      reason: "invalid_timestamp",
    });
    expect(
      check(delivery({ body, timestamp: sig.timestamp, signature: `${sig.signature} ` })),
    ).toMatchObject({ reason: "invalid_signature" });
    expect(
      check(
        delivery({ body, timestamp: sig.timestamp, signature: sig.signature.replace(/=+$/, "") }),
      ),
    ).toMatchObject({ reason: "invalid_signature" });
    expect(check(delivery({ body, timestamp: sig.timestamp, signature: "   " }))).toMatchObject({
      reason: "missing_signature",
    });
    expect(
      check(
        delivery({
          body,
          timestamp: sig.timestamp,
          signature: sig.signature,
          extra: { "x-hubspot-signature-v3": [sig.signature, sig.signature] },
        }),
      ),
    ).toMatchObject({ ok: false });
  });

  it("answers unconfigured (503) without a client secret, and uses UNISTACK_PUBLIC_BASE_URL when a proxy rewrites the host", () => {
    expect(
      verifyHubspotDelivery(delivery({ body, ...signed(body) }), {
        secrets: secrets({}),
        now: NOW,
      }),
    ).toMatchObject({ kind: "unconfigured" });
    const public_ = signed(body, NOW, SECRET, "https://crm-hooks.example.org/webhooks/hubspot");
    const env = {
      HUBSPOT_CLIENT_SECRET: SECRET,
      UNISTACK_PUBLIC_BASE_URL: "https://crm-hooks.example.org/",
    };
    expect(
      verifyHubspotDelivery(delivery({ body, ...public_, host: "ingest-abc.run.app" }), {
        secrets: secrets(env),
        now: NOW,
      }),
    ).toEqual({ ok: true });
  });
});
