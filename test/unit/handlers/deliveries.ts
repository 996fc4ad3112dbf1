import {
  generateSendgridKeyPair,
  signSendgridDelivery,
} from "../../../functions/cli/demo/synthetic/sign-sendgrid.js";
import { signShopifyDelivery } from "../../../functions/cli/demo/synthetic/sign-shopify.js";
import type { IngestRequest } from "../../../functions/core/ingest/ingest-webhook.js";

export const SHOPIFY_SECRET = "shpss_test_secret";

/** The instant the handler tests run at, and the same in unix seconds for SendGrid's header. */
export const NOW = new Date("2026-03-01T12:00:00Z");
export const STAMP = Math.floor(NOW.getTime() / 1000);

/** One SendGrid key pair per test file, and the secrets env that verifies with it. */
export const keys = generateSendgridKeyPair();
export const env = {
  SHOPIFY_WEBHOOK_SECRET: SHOPIFY_SECRET,
  SENDGRID_WEBHOOK_PUBLIC_KEY: keys.publicKeyBase64,
};

export function shopifyRequest(
  body: string,
  options: {
    topic?: string;
    webhookId?: string;
    secret?: string;
    headers?: Record<string, string>;
  } = {},
): IngestRequest {
  return {
    source: "shopify",
    method: "POST",
    url: "/webhooks/shopify",
    headers: {
      "X-Shopify-Topic": options.topic ?? "orders/create",
      "X-Shopify-Webhook-Id": options.webhookId ?? "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
      "X-Shopify-Shop-Domain": "demo-shop.myshopify.com",
      "X-Shopify-API-Version": "2024-04",
      ...signShopifyDelivery(options.secret ?? SHOPIFY_SECRET, body),
      ...options.headers,
    },
    rawBody: Buffer.from(body),
  };
}

export function sendgridRequest(
  privateKeyPem: string,
  timestamp: number,
  body: string,
): IngestRequest {
  return {
    source: "sendgrid",
    method: "POST",
    url: "/webhooks/sendgrid",
    headers: {
      "content-type": "application/json",
      ...signSendgridDelivery(privateKeyPem, timestamp, body),
    },
    rawBody: Buffer.from(body),
  };
}

/** A SendGrid event with a unique id; the email is personal data that must never be logged. */
export function sendgridEvent(
  n: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    email: `person${n}@example.com`,
    timestamp: 1772366400 + n,
    event: "delivered",
    sg_event_id: `evt-${n}`,
    sg_message_id: `msg-${n}.filter0001`,
    ...overrides,
  };
}
