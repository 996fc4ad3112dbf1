import { generateKeyPairSync, sign } from "node:crypto";

/**
 * The headers SendGrid would send with this body: ECDSA P-256 / SHA-256 over timestamp + body,
 * base64 DER. `timestamp` is unix seconds (the demo passes its clock's now).
 */
export function signSendgridDelivery(
  privateKeyPem: string,
  timestamp: number | string,
  body: string | Uint8Array,
): {
  "X-Twilio-Email-Event-Webhook-Signature": string;
  "X-Twilio-Email-Event-Webhook-Timestamp": string;
} {
  const stamp = String(timestamp);
  const message = Buffer.concat([Buffer.from(stamp, "utf8"), Buffer.from(body)]);
  return {
    "X-Twilio-Email-Event-Webhook-Signature": sign("sha256", message, privateKeyPem).toString(
      "base64",
    ),
    "X-Twilio-Email-Event-Webhook-Timestamp": stamp,
  };
}

/**
 * A fresh P-256 key pair: the private key (PEM) signs the demo's deliveries, the public key is
 * what Mail Settings shows (base64 SPKI DER): set it as `SENDGRID_WEBHOOK_PUBLIC_KEY`.
 */
export function generateSendgridKeyPair(): { privateKeyPem: string; publicKeyBase64: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    publicKeyBase64: publicKey.export({ format: "der", type: "spki" }).toString("base64"),
  };
}
