import { describe, expect, it } from "vitest";
import { createEnvSecrets } from "../../../../functions/platform/env-secrets.js";
import {
  hubspotSignatureV3,
  hubspotSignedUri,
  verifyHubspotDelivery,
} from "../../../../functions/sources/hubspot/verify.js";

/**
 * Whole HubSpot verdicts (`ok`, `kind` and `reason`): a refusal never turns into `ok: true`, the
 * reason names what was wrong, and the URI HubSpot signed is rebuilt exactly (its v3 rules decode
 * a fixed set of escapes before signing).
 */

const NOW = new Date("2026-03-01T12:00:00Z");
const SECRET = "hubspot-refusals-secret";
const BODY = '[{"eventId":1,"subscriptionType":"contact.creation","objectId":123}]';
const env = { HUBSPOT_CLIENT_SECRET: SECRET };

function verdict(
  headers: Record<string, string | string[]>,
  options: { url?: string; env?: Record<string, string> } = {},
) {
  return verifyHubspotDelivery(
    {
      method: "POST",
      url: options.url ?? "/webhooks/hubspot",
      headers,
      rawBody: Buffer.from(BODY),
    },
    { secrets: createEnvSecrets(options.env ?? env), now: NOW },
  );
}

/** The v3 headers HubSpot sends for BODY at `url` on `base`, at `at`. */
function signed(
  options: { url?: string; base?: string; at?: Date; timestamp?: string } = {},
): Record<string, string> {
  const timestamp = options.timestamp ?? String((options.at ?? NOW).getTime());
  return {
    host: "hooks.example.com",
    "x-hubspot-request-timestamp": timestamp,
    "x-hubspot-signature-v3": hubspotSignatureV3(SECRET, {
      method: "POST",
      uri: `${options.base ?? "https://hooks.example.com"}${options.url ?? "/webhooks/hubspot"}`,
      body: BODY,
      timestamp,
    }),
  };
}

const rejected = (reason: string) => ({ ok: false, kind: "rejected", reason });

describe("HubSpot refusals name what was wrong", () => {
  it("accepts the genuine delivery (the baseline of every refusal below)", () => {
    expect(verdict(signed())).toEqual({ ok: true });
  });

  it("answers unconfigured, naming the setting, when no client secret is set", () => {
    expect(verdict(signed(), { env: {} })).toEqual({
      ok: false,
      kind: "unconfigured",
      reason: "HUBSPOT_CLIENT_SECRET is not set",
    });
  });

  it("refuses a missing or blank signature as missing_signature", () => {
    const { "x-hubspot-signature-v3": _, ...unsigned } = signed();
    expect(verdict(unsigned)).toEqual(rejected("missing_signature"));
    expect(verdict({ ...signed(), "x-hubspot-signature-v3": " \t " })).toEqual(
      rejected("missing_signature"),
    );
  });

  it("refuses a missing or blank timestamp as missing_timestamp", () => {
    const { "x-hubspot-request-timestamp": _, ...unstamped } = signed();
    expect(verdict(unstamped)).toEqual(rejected("missing_timestamp"));
    expect(verdict({ ...signed(), "x-hubspot-request-timestamp": "   " })).toEqual(
      rejected("missing_timestamp"),
    );
  });

  it("refuses a signature header sent twice as invalid_signature", () => {
    const headers = signed();
    const sig = headers["x-hubspot-signature-v3"] as string;
    expect(verdict({ ...headers, "x-hubspot-signature-v3": [sig, sig] })).toEqual(
      rejected("invalid_signature"),
    );
  });

  it("refuses a correctly signed timestamp that is not plain milliseconds as invalid_timestamp", () => {
    for (const timestamp of ["1.7e12", ` ${NOW.getTime()}`, `${NOW.getTime()}.0`]) {
      expect(verdict(signed({ timestamp }))).toEqual(rejected("invalid_timestamp"));
    }
  });

  it("refuses a correctly signed delivery from 6 minutes ago as outside the replay window", () => {
    const at = new Date(NOW.getTime() - 6 * 60 * 1000);
    expect(verdict(signed({ at }))).toEqual(rejected("timestamp_outside_replay_window"));
  });

  it("refuses a delivery without a Host header when no public URL is configured", () => {
    const { host: _, ...hostless } = signed();
    expect(verdict(hostless)).toEqual(rejected("missing_headers: Host"));
  });

  it("verifies against the configured public URL with any number of trailing slashes", () => {
    const base = "https://crm-hooks.example.org";
    const headers = { ...signed({ base }), host: "ingest-abc.run.app" };
    for (const configured of [base, `${base}/`, `${base}///`]) {
      expect(verdict(headers, { env: { ...env, UNISTACK_PUBLIC_BASE_URL: configured } })).toEqual({
        ok: true,
      });
    }
  });
});

describe("the URI HubSpot signs (v3)", () => {
  it("decodes exactly :/?@!$'()*,; from their escapes, in either case, and nothing else", () => {
    expect(
      hubspotSignedUri(
        "https://h.example/p?a=%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B&b=%3a%2f%3f%2a%2c%3b&c=%20%25%26",
      ),
    ).toBe("https://h.example/p?a=:/?@!$'()*,;&b=:/?*,;&c=%20%25%26");
  });

  it("accepts a delivery to a URL with escapes, signed over the decoded URI", () => {
    const url = "/webhooks/hubspot?portal=%4062515%2Cx%3Ay";
    const headers = signed({ url: "/webhooks/hubspot?portal=@62515,x:y" });
    expect(verdict(headers, { url })).toEqual({ ok: true });
    expect(verdict(headers, { url: "/webhooks/hubspot?portal=%4062515%2Cx%3Az" })).toEqual(
      rejected("invalid_signature"),
    );
  });
});
