import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  generateSendgridKeyPair,
  signSendgridDelivery,
} from "../../../../functions/cli/demo/synthetic/sign-sendgrid.js";
import { createEnvSecrets } from "../../../../functions/platform/env-secrets.js";
import { verifySendgridDelivery } from "../../../../functions/sources/sendgrid/verify.js";

/**
 * Whole verdicts (`ok` included) for every way a SendGrid delivery or its configuration can be
 * wrong: a refusal must never turn into `ok: true`, and a configuration fault must be answered
 * as ours (503, the vendor retries), not as the sender's (401).
 */

const account = generateSendgridKeyPair();
const body = '[{"email":"a@example.com","event":"open","sg_event_id":"x1","timestamp":1700000000}]';
const now = new Date("2026-03-01T12:00:00Z");
const stamp = Math.floor(now.getTime() / 1000);

function verdict(
  headers: Record<string, string>,
  env: Record<string, string> = { SENDGRID_WEBHOOK_PUBLIC_KEY: account.publicKeyBase64 },
) {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return verifySendgridDelivery(
    { method: "POST", url: "/webhooks/sendgrid", headers: lower, rawBody: Buffer.from(body) },
    { secrets: createEnvSecrets(env), now },
  );
}

const signed = (timestamp: number | string = stamp, privateKeyPem = account.privateKeyPem) =>
  signSendgridDelivery(privateKeyPem, timestamp, body);
const SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature";
const TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp";
const rejected = (reason: string) => ({ ok: false, kind: "rejected", reason });
const unconfigured = (reason: string) => ({ ok: false, kind: "unconfigured", reason });

describe("SendGrid refuses unsigned deliveries", () => {
  it("refuses a delivery without the signature header", () => {
    const { [SIGNATURE]: _dropped, ...headers } = signed();
    expect(verdict(headers)).toEqual(rejected("missing_signature"));
  });

  it("refuses a delivery without the timestamp header", () => {
    const { [TIMESTAMP]: _dropped, ...headers } = signed();
    expect(verdict(headers)).toEqual(rejected("missing_timestamp"));
  });

  it("refuses a delivery without either header", () => {
    expect(verdict({})).toEqual(rejected("missing_signature"));
  });

  it("treats a whitespace-only signature or timestamp header as missing", () => {
    expect(verdict({ ...signed(), [SIGNATURE]: " \t " })).toEqual(rejected("missing_signature"));
    expect(verdict({ ...signed(), [TIMESTAMP]: "  " })).toEqual(rejected("missing_timestamp"));
  });

  it("refuses a signature that is not base64 DER without crashing", () => {
    expect(verdict({ ...signed(), [SIGNATURE]: "bm90IGEgc2lnbmF0dXJl" })).toEqual(
      rejected("invalid_signature"),
    );
  });
});

describe("SendGrid signed timestamps are plain unix seconds", () => {
  it.each([
    ["with a letter after the seconds", `${stamp}x`],
    ["with a letter before the seconds", `x${stamp}`],
    ["in milliseconds (13 digits)", `${stamp}000`],
    ["negative", `-${stamp}`],
    ["with a decimal point", `${stamp}.5`],
  ])("refuses a correctly signed timestamp %s", (_name, timestamp) => {
    expect(verdict(signed(timestamp))).toEqual(rejected("invalid_timestamp"));
  });
});

describe("SendGrid key configuration", () => {
  it("answers unconfigured, naming the variable, when no key is set", () => {
    expect(verdict(signed(), {})).toEqual(unconfigured("SENDGRID_WEBHOOK_PUBLIC_KEY is not set"));
  });

  it("answers unconfigured when only the previous key is set and it is unusable", () => {
    expect(verdict(signed(), { SENDGRID_WEBHOOK_PUBLIC_KEY_PREVIOUS: "bm90IGEga2V5" })).toEqual(
      unconfigured(
        "SENDGRID_WEBHOOK_PUBLIC_KEY_PREVIOUS is not a P-256 public key: paste the key from Mail Settings",
      ),
    );
  });

  it.each([
    ["not a key at all", "bm90IGEga2V5"],
    [
      "a P-384 key",
      generateKeyPairSync("ec", { namedCurve: "P-384" })
        .publicKey.export({ format: "der", type: "spki" })
        .toString("base64"),
    ],
    [
      "an RSA key",
      generateKeyPairSync("rsa", { modulusLength: 1024 })
        .publicKey.export({ format: "der", type: "spki" })
        .toString("base64"),
    ],
  ])("answers unconfigured when the key is %s, even for a signed delivery", (_name, key) => {
    expect(verdict(signed(), { SENDGRID_WEBHOOK_PUBLIC_KEY: key })).toEqual(
      unconfigured(
        "SENDGRID_WEBHOOK_PUBLIC_KEY is not a P-256 public key: paste the key from Mail Settings",
      ),
    );
  });

  it("answers unconfigured when the current key is fine but the previous one is unusable", () => {
    const env = {
      SENDGRID_WEBHOOK_PUBLIC_KEY: account.publicKeyBase64,
      SENDGRID_WEBHOOK_PUBLIC_KEY_PREVIOUS: "bm90IGEga2V5",
    };
    expect(verdict(signed(), env)).toMatchObject({ ok: false, kind: "unconfigured" });
  });

  it("accepts a key pasted with surrounding blank lines and spaces, PEM or base64", () => {
    const pem = `-----BEGIN PUBLIC KEY-----\n${account.publicKeyBase64}\n-----END PUBLIC KEY-----`;
    for (const key of [`\n  ${pem}\n\n`, ` ${account.publicKeyBase64}\n`]) {
      expect(verdict(signed(), { SENDGRID_WEBHOOK_PUBLIC_KEY: key })).toEqual({ ok: true });
    }
  });

  it("during a key switch, accepts either key and refuses a delivery signed by neither", () => {
    const next = generateSendgridKeyPair();
    const stranger = generateSendgridKeyPair();
    const env = {
      SENDGRID_WEBHOOK_PUBLIC_KEY: next.publicKeyBase64,
      SENDGRID_WEBHOOK_PUBLIC_KEY_PREVIOUS: account.publicKeyBase64,
    };
    expect(verdict(signed(stamp, next.privateKeyPem), env)).toEqual({ ok: true });
    expect(verdict(signed(stamp, account.privateKeyPem), env)).toEqual({ ok: true });
    expect(verdict(signed(stamp, stranger.privateKeyPem), env)).toEqual(
      rejected("invalid_signature"),
    );
  });
});

describe("SendGrid signatures are compared as the encoder wrote them", () => {
  it("refuses the right signature re-encoded with its unused trailing bits set (same bytes once decoded)", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    // Only a padded signature has unused bits; a 72-byte DER signature has none, so sign again.
    let headers = signed();
    while (!(headers[SIGNATURE] as string).endsWith("=")) headers = signed();
    const signature = headers[SIGNATURE] as string;
    const last = signature.replace(/=+$/, "").length - 1;
    const lenient = `${signature.slice(0, last)}${alphabet[alphabet.indexOf(signature[last] as string) + 1]}${signature.slice(last + 1)}`;
    expect(Buffer.from(lenient, "base64")).toEqual(Buffer.from(signature, "base64"));
    expect(verdict(headers)).toEqual({ ok: true });
    expect(verdict({ ...headers, [SIGNATURE]: lenient })).toEqual(rejected("invalid_signature"));
  });
});
