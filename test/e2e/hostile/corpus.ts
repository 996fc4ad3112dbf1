import { constants, createGzip, gzipSync } from "node:zlib";
import { signSendgridDelivery } from "../../../functions/cli/demo/synthetic/sign-sendgrid.js";
import { signShopifyDelivery } from "../../../functions/cli/demo/synthetic/sign-shopify.js";
import type { RawRequest } from "../../support/raw-http.js";
import { vectorOrders } from "../../unit/sources/vectors.js";

/**
 * The hostile corpus: what a careless or malicious sender can put on the wire, and what the
 * ingest service must answer. Both serving paths get exactly these requests.
 */
export interface CorpusContext {
  readonly shopifySecret: string;
  readonly sendgridPrivateKeyPem: string;
  /** Unix seconds now (SendGrid's signed timestamp). */
  readonly nowSeconds: number;
  /** From `buildGzipBomb()`. */
  readonly gzipBomb: Buffer;
}

export interface CorpusCase {
  readonly name: string;
  readonly expected: { readonly status: number; readonly body?: unknown };
  request(context: CorpusContext): RawRequest;
}

const MB = 1024 * 1024;
/** Personal data and sender-chosen values that must never reach a log line. */
export const SECRET_VALUES = {
  email: "hostile.buyer@example.com",
  otherEmail: "second.person@example.org",
  webhookId: "b9f1e0c2-hostile-webhook-id-7731",
  shopDomain: "hostile-shop.myshopify.com",
  eventId: "hostile-sg-event-id-4242",
  traceJunk: "trace-junk-person@example.net",
} as const;

const shopifyHeaders = (secret: string, body: string | Uint8Array, topic = "orders/create") => ({
  "content-type": "application/json",
  "X-Shopify-Topic": topic,
  "X-Shopify-Webhook-Id": SECRET_VALUES.webhookId,
  "X-Shopify-Shop-Domain": SECRET_VALUES.shopDomain,
  "X-Shopify-API-Version": "2024-04",
  ...signShopifyDelivery(secret, body),
});

const order = (id: number, change: Record<string, unknown> = {}) =>
  JSON.stringify({
    ...vectorOrders.order450789469,
    id,
    email: SECRET_VALUES.email,
    contact_email: SECRET_VALUES.email,
    ...change,
  });

const events = (count: number, spliceInto?: { index: number; fragment: string }) => {
  const texts = Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      email: i % 2 ? SECRET_VALUES.email : SECRET_VALUES.otherEmail,
      timestamp: 1772366400 + i,
      event: "delivered",
      sg_event_id: `${SECRET_VALUES.eventId}-${i}`,
      sg_message_id: `msg-${i}.filter0001`,
    }),
  );
  if (spliceInto) {
    const text = texts[spliceInto.index] as string;
    texts[spliceInto.index] = text.replace('"event":', `${spliceInto.fragment},"event":`);
  }
  return `[${texts.join(",")}]`;
};

const sendgridHeaders = (pem: string, stamp: number, body: string | Uint8Array) => ({
  "content-type": "application/json",
  ...signSendgridDelivery(pem, stamp, body),
});

function* zeros(total: number, chunk = 64 * 1024): Generator<Uint8Array> {
  const block = Buffer.alloc(chunk, 0x20);
  for (let sent = 0; sent < total; sent += chunk) yield block;
}

/** About 250 KB of gzip that inflates to 256 MB of spaces, built without holding the 256 MB. */
export async function buildGzipBomb(): Promise<Buffer> {
  const gzip = createGzip({ level: constants.Z_BEST_COMPRESSION });
  const out: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => out.push(chunk));
  const done = new Promise((resolve, reject) => {
    gzip.on("end", resolve);
    gzip.on("error", reject);
  });
  for (const chunk of zeros(256 * MB, MB)) {
    if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once("drain", resolve));
  }
  gzip.end();
  await done;
  return Buffer.concat(out);
}

const validOrder = order(910001);
const truncated = order(910002).slice(0, 97);
const withNul = Buffer.concat([
  Buffer.from('{"id":910003,"note":"a'),
  Buffer.from([0]),
  Buffer.from('b"}'),
]);
const latin1 = Buffer.from(
  `{"id":910004,"email":"${SECRET_VALUES.email}","name":"J\u00e9r\u00f4me"}`,
  "latin1",
);

export const HOSTILE_CORPUS: readonly CorpusCase[] = [
  {
    name: "a valid Shopify order",
    expected: { status: 200, body: { accepted: 1, quarantined: 0, duplicate: 0 } },
    request: (c) => ({
      path: "/webhooks/shopify",
      headers: shopifyHeaders(c.shopifySecret, validOrder),
      body: validOrder,
    }),
  },
  {
    name: "the same order redelivered",
    expected: { status: 200, body: { accepted: 0, quarantined: 0, duplicate: 1 } },
    request: (c) => ({
      path: "/webhooks/shopify",
      headers: shopifyHeaders(c.shopifySecret, validOrder),
      body: validOrder,
    }),
  },
  {
    name: "a gzip bomb (256 MB inflated) with a fake signature",
    expected: { status: 415 },
    request: (c) => ({
      path: "/webhooks/shopify",
      headers: {
        ...shopifyHeaders("not-the-secret", "{}"),
        "content-encoding": "gzip",
      },
      body: c.gzipBomb,
    }),
  },
  {
    name: "a gzip body validly signed over its inflated JSON",
    expected: { status: 415 },
    request: (c) => ({
      path: "/webhooks/shopify",
      headers: { ...shopifyHeaders(c.shopifySecret, validOrder), "content-encoding": "gzip" },
      body: gzipSync(validOrder),
    }),
  },
  {
    name: "a body in brotli, unsigned",
    expected: { status: 415 },
    request: () => ({
      path: "/webhooks/sendgrid",
      headers: { "content-encoding": "br" },
      body: Buffer.from([0x1b, 0x00]),
    }),
  },
  {
    name: "a 40 MB plain body with its Content-Length",
    expected: { status: 413, body: { error: "body larger than 5242880 bytes" } },
    request: (c) => ({
      path: "/webhooks/shopify",
      headers: shopifyHeaders(c.shopifySecret, "x"),
      body: zeros(40 * MB),
      contentLength: 40 * MB,
    }),
  },
  {
    name: "a 40 MB body announced with Expect: 100-continue",
    expected: { status: 413, body: { error: "body larger than 5242880 bytes" } },
    request: (c) => ({
      path: "/webhooks/sendgrid",
      headers: {
        ...sendgridHeaders(c.sendgridPrivateKeyPem, c.nowSeconds, "[]"),
        expect: "100-continue",
      },
      body: [],
      contentLength: 40 * MB,
    }),
  },
  {
    name: "a chunked body that grows past 5 MB (12 MB sent)",
    expected: { status: 413, body: { error: "body larger than 5242880 bytes" } },
    request: (c) => ({
      path: "/webhooks/sendgrid",
      headers: sendgridHeaders(c.sendgridPrivateKeyPem, c.nowSeconds, "[]"),
      body: zeros(12 * MB),
      chunked: true,
    }),
  },
  {
    name: "a truncated JSON body, validly signed",
    expected: { status: 400, body: { error: "body is not valid UTF-8 JSON" } },
    request: (c) => ({
      path: "/webhooks/shopify",
      headers: shopifyHeaders(c.shopifySecret, truncated),
      body: truncated,
    }),
  },
  {
    name: "a body with a NUL byte, validly signed",
    expected: { status: 400, body: { error: "body is not valid UTF-8 JSON" } },
    request: (c) => ({
      path: "/webhooks/shopify",
      headers: shopifyHeaders(c.shopifySecret, withNul),
      body: withNul,
    }),
  },
  {
    name: "a Latin-1 (not UTF-8) body, validly signed",
    expected: { status: 400, body: { error: "body is not valid UTF-8 JSON" } },
    request: (c) => ({
      path: "/webhooks/shopify",
      headers: shopifyHeaders(c.shopifySecret, latin1),
      body: latin1,
    }),
  },
  {
    name: "a Shopify order signed with another secret",
    expected: { status: 401, body: { error: "invalid_hmac" } },
    request: () => ({
      path: "/webhooks/shopify",
      headers: shopifyHeaders("not-the-secret", validOrder),
      body: validOrder,
    }),
  },
  {
    name: "a Shopify order without its signature header",
    expected: { status: 401, body: { error: "missing_headers: X-Shopify-Hmac-Sha256" } },
    request: (c) => {
      const { "X-Shopify-Hmac-Sha256": _, ...headers } = shopifyHeaders(
        c.shopifySecret,
        validOrder,
      );
      return { path: "/webhooks/shopify", headers, body: validOrder };
    },
  },
  {
    name: "a Shopify signature header of spaces only",
    expected: { status: 401, body: { error: "missing_headers: X-Shopify-Hmac-Sha256" } },
    request: (c) => ({
      path: "/webhooks/shopify",
      headers: { ...shopifyHeaders(c.shopifySecret, validOrder), "X-Shopify-Hmac-Sha256": "    " },
      body: validOrder,
    }),
  },
  {
    name: "the right Shopify signature with extra base64 padding",
    expected: { status: 401, body: { error: "invalid_hmac" } },
    request: (c) => {
      const headers = shopifyHeaders(c.shopifySecret, validOrder);
      return {
        path: "/webhooks/shopify",
        headers: { ...headers, "X-Shopify-Hmac-Sha256": `${headers["X-Shopify-Hmac-Sha256"]}=` },
        body: validOrder,
      };
    },
  },
  {
    name: "a SendGrid batch replayed with a 10-minute-old signed timestamp",
    expected: { status: 401, body: { error: "timestamp_outside_replay_window" } },
    request: (c) => {
      const body = events(3);
      return {
        path: "/webhooks/sendgrid",
        headers: sendgridHeaders(c.sendgridPrivateKeyPem, c.nowSeconds - 600, body),
        body,
      };
    },
  },
  {
    name: "a SendGrid signature stripped of its base64 padding",
    expected: { status: 401, body: { error: "invalid_signature" } },
    request: (c) => {
      const body = events(3);
      let headers = sendgridHeaders(c.sendgridPrivateKeyPem, c.nowSeconds, body);
      while (!headers["X-Twilio-Email-Event-Webhook-Signature"].endsWith("=")) {
        headers = sendgridHeaders(c.sendgridPrivateKeyPem, c.nowSeconds, body);
      }
      const signature = headers["X-Twilio-Email-Event-Webhook-Signature"].replace(/=+$/, "");
      return {
        path: "/webhooks/sendgrid",
        headers: { ...headers, "X-Twilio-Email-Event-Webhook-Signature": signature },
        body,
      };
    },
  },
  {
    name: "a SendGrid batch with a junk trace header holding an email",
    expected: { status: 200, body: { accepted: 4, quarantined: 0, duplicate: 0 } },
    request: (c) => {
      const body = events(4);
      return {
        path: "/webhooks/sendgrid",
        headers: {
          ...sendgridHeaders(c.sendgridPrivateKeyPem, c.nowSeconds, body),
          traceparent: SECRET_VALUES.traceJunk,
        },
        body,
      };
    },
  },
  {
    name: "a Shopify order whose total appears twice (duplicate JSON keys)",
    expected: { status: 200, body: { accepted: 0, quarantined: 1, duplicate: 0 } },
    request: (c) => {
      const body = order(910005).replace(
        '"total_price":"598.94"',
        '"total_price":"-5.00","total_price":"598.94"',
      );
      return { path: "/webhooks/shopify", headers: shopifyHeaders(c.shopifySecret, body), body };
    },
  },
  {
    name: "a SendGrid batch of 10 with one lone surrogate escape",
    expected: { status: 200, body: { accepted: 9, quarantined: 1, duplicate: 0 } },
    request: (c) => {
      const body = events(10, { index: 6, fragment: '"useragent":"Mozilla \\ud800"' });
      return {
        path: "/webhooks/sendgrid",
        headers: sendgridHeaders(c.sendgridPrivateKeyPem, c.nowSeconds, body),
        body,
      };
    },
  },
  {
    name: "a Shopify order with a negative total",
    expected: { status: 200, body: { accepted: 0, quarantined: 1, duplicate: 0 } },
    request: (c) => {
      const body = order(910006, { total_price: "-5.00" });
      return { path: "/webhooks/shopify", headers: shopifyHeaders(c.shopifySecret, body), body };
    },
  },
  {
    name: "an order of a topic no stream takes",
    expected: { status: 200, body: { accepted: 0, quarantined: 1, duplicate: 0 } },
    request: (c) => {
      const body = order(910007);
      return {
        path: "/webhooks/shopify",
        headers: shopifyHeaders(c.shopifySecret, body, `orders/${SECRET_VALUES.email}`),
        body,
      };
    },
  },
  {
    name: "a path with markup in it",
    expected: { status: 404, body: { error: "not found" } },
    request: () => ({ path: "/webhooks/%3Cscript%3Ealert(1)%3C/script%3E", body: "{}" }),
  },
  {
    name: "a GET on a webhook",
    expected: { status: 405, body: { error: "use POST" } },
    request: () => ({ method: "GET", path: "/webhooks/shopify" }),
  },
  {
    name: "malformed HTTP (a Content-Length that is not a number)",
    expected: { status: 400, body: { error: "malformed HTTP request" } },
    request: () => ({
      path: "",
      raw: `POST /webhooks/shopify HTTP/1.1\r\nhost: x\r\ncontent-length: 12abc\r\nx-leak: ${SECRET_VALUES.email}\r\n\r\n{}`,
    }),
  },
  {
    name: "request smuggling: both Content-Length and chunked",
    expected: { status: 400, body: { error: "malformed HTTP request" } },
    request: () => ({
      path: "",
      raw: "POST /webhooks/sendgrid HTTP/1.1\r\nhost: x\r\ncontent-length: 4\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nhost: x\r\n\r\n",
    }),
  },
  {
    name: "20 KB of headers",
    expected: { status: 431, body: { error: "malformed HTTP request" } },
    request: () => ({
      path: "/webhooks/shopify",
      headers: { "x-padding": `${SECRET_VALUES.email}${"a".repeat(20_000)}` },
      body: "{}",
    }),
  },
  {
    name: "the health check",
    expected: { status: 200, body: { status: "ok" } },
    request: () => ({ method: "GET", path: "/healthz" }),
  },
];

/** The bodies the corpus quarantines byte for byte as unparsable. */
export const UNPARSABLE_BODIES: readonly Buffer[] = [Buffer.from(truncated), withNul, latin1];
