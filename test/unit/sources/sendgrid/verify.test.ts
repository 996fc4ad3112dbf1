import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  generateSendgridKeyPair,
  signSendgridDelivery,
} from "../../../../functions/cli/demo/synthetic/sign-sendgrid.js";
import { createEnvSecrets } from "../../../../functions/platform/env-secrets.js";
import { verifySendgridDelivery } from "../../../../functions/sources/sendgrid/verify.js";
import { sendgridVectors } from "../vectors.js";

const vectors = sendgridVectors.signature_verification.vectors;

interface Official {
  EventWebhook: new () => {
    convertPublicKeyToECDSA(pem: string): unknown;
    verifySignature(key: unknown, payload: string, signature: string, timestamp: string): boolean;
  };
}
const { EventWebhook } = createRequire(import.meta.url)("@sendgrid/eventwebhook") as Official;

function check(input: {
  publicKey: string;
  body: string | Buffer;
  signature?: string | undefined;
  timestamp?: string | undefined;
  now: Date;
  env?: Record<string, string>;
}) {
  const headers: Record<string, string> = {};
  if (input.signature !== undefined)
    headers["x-twilio-email-event-webhook-signature"] = input.signature;
  if (input.timestamp !== undefined)
    headers["x-twilio-email-event-webhook-timestamp"] = input.timestamp;
  return verifySendgridDelivery(
    { method: "POST", url: "/", headers, rawBody: Buffer.from(input.body) },
    {
      secrets: createEnvSecrets(input.env ?? { SENDGRID_WEBHOOK_PUBLIC_KEY: input.publicKey }),
      now: input.now,
    },
  );
}

const atSigning = (timestamp: string) => new Date(Number(timestamp) * 1000 + 30_000);

describe("SendGrid signed event webhook (SendGrid's own vectors)", () => {
  it.each(vectors.map((v) => [v.name, v] as const))("%s", (_name, v) => {
    const verdict = check({
      publicKey: v.public_key,
      body: v.payload,
      signature: v.signature,
      timestamp: v.timestamp,
      now: Number.isNaN(Number(v.timestamp))
        ? new Date("2020-09-14T19:35:02Z")
        : atSigning(v.timestamp),
    });
    if (v.expected_valid) {
      expect(verdict).toEqual({ ok: true });
    } else {
      const reason = v.name === "invalid_bad_timestamp" ? "invalid_timestamp" : "invalid_signature";
      expect(verdict).toEqual({ ok: false, kind: "rejected", reason });
    }
  });

  it("agrees with the official @sendgrid/eventwebhook verifier on every vector", () => {
    const official = new EventWebhook();
    for (const v of vectors) {
      const pem = `-----BEGIN PUBLIC KEY-----\n${v.public_key}\n-----END PUBLIC KEY-----`;
      const theirs = official.verifySignature(
        official.convertPublicKeyToECDSA(pem),
        v.payload,
        v.signature,
        v.timestamp,
      );
      const ours = check({
        publicKey: v.public_key,
        body: v.payload,
        signature: v.signature,
        timestamp: v.timestamp,
        now: atSigning(v.timestamp),
      });
      expect({ name: v.name, valid: ours.ok }).toEqual({ name: v.name, valid: theirs });
    }
  });
});

describe("SendGrid verification policy", () => {
  const keys = generateSendgridKeyPair();
  const body =
    '[{"email":"a@example.com","event":"open","sg_event_id":"x1","timestamp":1700000000}]';
  const now = new Date("2026-03-01T12:00:00Z");
  const stamp = Math.floor(now.getTime() / 1000);

  const signed = (timestamp: number) => {
    const headers = signSendgridDelivery(keys.privateKeyPem, timestamp, body);
    return {
      signature: headers["X-Twilio-Email-Event-Webhook-Signature"],
      timestamp: headers["X-Twilio-Email-Event-Webhook-Timestamp"],
    };
  };

  it("accepts a delivery signed by the demo's signer with a fresh key pair", () => {
    expect(check({ publicKey: keys.publicKeyBase64, body, now, ...signed(stamp) })).toEqual({
      ok: true,
    });
  });

  it("accepts the key in PEM armour as well as the base64 Mail Settings form", () => {
    const pem = `-----BEGIN PUBLIC KEY-----\n${keys.publicKeyBase64}\n-----END PUBLIC KEY-----\n`;
    expect(check({ publicKey: pem, body, now, ...signed(stamp) })).toEqual({ ok: true });
  });

  it("rejects a SendGrid timestamp older than 300 seconds", () => {
    expect(check({ publicKey: keys.publicKeyBase64, body, now, ...signed(stamp - 300) })).toEqual({
      ok: true,
    });
    expect(check({ publicKey: keys.publicKeyBase64, body, now, ...signed(stamp - 301) })).toEqual({
      ok: false,
      kind: "rejected",
      reason: "timestamp_outside_replay_window",
    });
  });

  it("rejects a timestamp more than 300 seconds in the future", () => {
    expect(
      check({ publicKey: keys.publicKeyBase64, body, now, ...signed(stamp + 301) }),
    ).toMatchObject({
      ok: false,
      reason: "timestamp_outside_replay_window",
    });
  });

  it("rejects a body changed after signing", () => {
    const tampered = body.replace("open", "click");
    expect(
      check({ publicKey: keys.publicKeyBase64, body: tampered, now, ...signed(stamp) }),
    ).toMatchObject({
      ok: false,
      reason: "invalid_signature",
    });
  });

  it("verifies the bytes received, not a UTF-8 decoding of them", () => {
    const bytes = Buffer.concat([
      Buffer.from('[{"x":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}]'),
    ]);
    const headers = signSendgridDelivery(keys.privateKeyPem, stamp, bytes);
    expect(
      check({
        publicKey: keys.publicKeyBase64,
        body: bytes,
        now,
        signature: headers["X-Twilio-Email-Event-Webhook-Signature"],
        timestamp: headers["X-Twilio-Email-Event-Webhook-Timestamp"],
      }),
    ).toEqual({ ok: true });
  });

  it("rejects a delivery without signature or timestamp header", () => {
    const { signature, timestamp } = signed(stamp);
    expect(check({ publicKey: keys.publicKeyBase64, body, now, timestamp })).toMatchObject({
      reason: "missing_signature",
    });
    expect(check({ publicKey: keys.publicKeyBase64, body, now, signature })).toMatchObject({
      reason: "missing_timestamp",
    });
  });

  it.each([
    ["padded with a space", (v: string) => ` ${v}`],
    ["without its base64 padding", (v: string) => v.replace(/=+$/, "")],
    ["with extra padding", (v: string) => `${v}==`],
    ["with a space inside", (v: string) => `${v.slice(0, 10)} ${v.slice(10)}`],
  ])("rejects the right signature %s (the header is compared as sent)", (_name, mangle) => {
    // A 72-byte DER signature has no base64 padding; sign until it has some, so every mangle
    // changes the header.
    let { signature, timestamp } = signed(stamp);
    while (!signature?.endsWith("=")) ({ signature, timestamp } = signed(stamp));
    expect(mangle(signature)).not.toBe(signature);
    const verdict = check({
      publicKey: keys.publicKeyBase64,
      body,
      now,
      signature: mangle(signature as string),
      timestamp,
    });
    expect(verdict).toEqual({ ok: false, kind: "rejected", reason: "invalid_signature" });
  });

  it("rejects SendGrid's valid vector signature re-encoded in base64url", () => {
    const v = vectors.find((x) => x.name === "valid_multi_event");
    if (!v) throw new Error("vector missing");
    const input = { publicKey: v.public_key, body: v.payload, now: atSigning(v.timestamp) };
    const url = v.signature.replaceAll("+", "-").replaceAll("/", "_");
    expect(url).not.toBe(v.signature);
    expect(check({ ...input, signature: url, timestamp: v.timestamp })).toMatchObject({
      reason: "invalid_signature",
    });
    expect(check({ ...input, signature: v.signature, timestamp: v.timestamp })).toEqual({
      ok: true,
    });
  });

  it("rejects a padded timestamp and treats blank headers as missing", () => {
    const { signature, timestamp } = signed(stamp);
    const base = { publicKey: keys.publicKeyBase64, body, now };
    expect(check({ ...base, signature, timestamp: ` ${timestamp}` })).toMatchObject({
      reason: "invalid_timestamp",
    });
    expect(check({ ...base, signature: "  ", timestamp })).toMatchObject({
      reason: "missing_signature",
    });
    expect(check({ ...base, signature, timestamp: "\t" })).toMatchObject({
      reason: "missing_timestamp",
    });
  });

  it("accepts the previous key while keys are switched", () => {
    const next = generateSendgridKeyPair();
    const env = {
      SENDGRID_WEBHOOK_PUBLIC_KEY: next.publicKeyBase64,
      SENDGRID_WEBHOOK_PUBLIC_KEY_PREVIOUS: keys.publicKeyBase64,
    };
    expect(check({ publicKey: "", env, body, now, ...signed(stamp) })).toEqual({ ok: true });
  });

  it("reports a missing or unusable key as unconfigured, not as the vendor's fault", () => {
    expect(check({ publicKey: "", env: {}, body, now, ...signed(stamp) })).toMatchObject({
      kind: "unconfigured",
      reason: "SENDGRID_WEBHOOK_PUBLIC_KEY is not set",
    });
    expect(check({ publicKey: "bm90IGEga2V5", body, now, ...signed(stamp) })).toMatchObject({
      kind: "unconfigured",
    });
  });
});
