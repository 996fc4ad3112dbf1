import { Agent, request } from "node:http";
import pLimit from "p-limit";
import type { SyntheticDelivery } from "./synthetic/generate.js";
import { signSendgridDelivery } from "./synthetic/sign-sendgrid.js";
import { signShopifyDelivery } from "./synthetic/sign-shopify.js";
import { signZoomDelivery } from "./synthetic/sign-zoom.js";

export interface DemoSigningKeys {
  readonly shopifySecret: string;
  readonly sendgridPrivateKeyPem: string;
  /** Zoom's secret token; only needed when the deliveries include Zoom's. */
  readonly zoomSecret?: string;
}

export interface SourceTally {
  requests: number;
  accepted: number;
  quarantined: number;
  duplicate: number;
  /** Records of erased people the ingest service dropped (the suppression list). */
  suppressed: number;
  /** Requests sent again after a connection error, as a vendor would. */
  retried: number;
  byStatus: Record<string, number>;
}

export type SendTally = Record<string, SourceTally>;

export interface SendOptions {
  readonly concurrency?: number;
  /** Unix seconds put in SendGrid's and Zoom's signed timestamp headers. */
  readonly nowSeconds: () => number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Posts signed deliveries to the local functions over HTTP, the way the vendors do, and tallies
 * what the functions answered.
 */
export async function sendDeliveries(
  baseUrl: string,
  deliveries: readonly SyntheticDelivery[],
  keys: DemoSigningKeys,
  options: SendOptions,
): Promise<SendTally> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency ?? 16 });
  const limit = pLimit(options.concurrency ?? 16);
  const tally: SendTally = {};
  let done = 0;
  try {
    await Promise.all(
      deliveries.map((delivery) =>
        limit(async () => {
          const headers = {
            ...delivery.headers,
            ...signatureHeaders(delivery, keys, options.nowSeconds()),
          };
          const { status, body, attempts } = await postWithRetries(
            agent,
            `${baseUrl}${delivery.path}`,
            headers,
            delivery.body,
          );
          record(tally, delivery.source, status, body, attempts - 1);
          done++;
          if (done % 250 === 0 || done === deliveries.length)
            options.onProgress?.(done, deliveries.length);
        }),
      ),
    );
  } finally {
    agent.destroy();
  }
  return tally;
}

function signatureHeaders(
  delivery: SyntheticDelivery,
  keys: DemoSigningKeys,
  now: number,
): Record<string, string> {
  if (delivery.source === "shopify") return signShopifyDelivery(keys.shopifySecret, delivery.body);
  if (delivery.source === "zoom") {
    if (keys.zoomSecret === undefined) throw new Error("a Zoom delivery needs keys.zoomSecret");
    return signZoomDelivery(keys.zoomSecret, now, delivery.body);
  }
  return signSendgridDelivery(keys.sendgridPrivateKeyPem, now, delivery.body);
}

function record(
  tally: SendTally,
  source: string,
  status: number,
  body: string,
  retried: number,
): void {
  const t: SourceTally = tally[source] ?? {
    requests: 0,
    accepted: 0,
    quarantined: 0,
    duplicate: 0,
    suppressed: 0,
    retried: 0,
    byStatus: {},
  };
  tally[source] = t;
  t.requests++;
  t.retried += retried;
  t.byStatus[status] = (t.byStatus[status] ?? 0) + 1;
  try {
    const counts = JSON.parse(body) as Partial<
      Record<"accepted" | "quarantined" | "duplicate" | "suppressed", number>
    >;
    t.accepted += counts.accepted ?? 0;
    t.quarantined += counts.quarantined ?? 0;
    t.duplicate += counts.duplicate ?? 0;
    t.suppressed += counts.suppressed ?? 0;
  } catch {
    // a non-JSON answer is counted by its status only
  }
}

/** Connection errors a vendor's sender retries: the ingest is idempotent, so a retry is safe. */
const TRANSIENT = new Set(["ECONNRESET", "EPIPE", "ECONNREFUSED", "ETIMEDOUT"]);
const ATTEMPTS = 5;

async function postWithRetries(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { ...(await post(agent, url, headers, body)), attempts: attempt };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "";
      if (attempt >= ATTEMPTS || !TRANSIENT.has(code)) throw error;
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
}

function post(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          ...headers,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
