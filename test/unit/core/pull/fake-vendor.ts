import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import type { PullSource } from "../../../../functions/core/pull/source.js";
import { callJson } from "../../../../functions/sources/pull-http.js";
import { defineStream } from "../../../../functions/sources/stream-contract.js";

/**
 * A small vendor for the pull framework's tests: `GET /items?from&to&after` answers the items
 * changed in [from, to), oldest first, `pageSize` at a time, after the keyset cursor
 * `<updated_at>|<id>` of the last item it sent. Faults are queued answers.
 */
export interface Item {
  id: number;
  updated_at: string;
  name?: unknown;
}

export interface Fault {
  readonly status: number;
  readonly headers?: Record<string, string>;
}

export interface FakeVendor {
  readonly url: string;
  items: Item[];
  readonly faults: Fault[];
  /** Every request the vendor received: when, and with which offset. */
  readonly requests: { at: number; after: string; status: number }[];
  close(): Promise<void>;
}

export async function startFakeVendor(pageSize = 3): Promise<FakeVendor> {
  const vendor: FakeVendor = {
    url: "",
    items: [],
    faults: [],
    requests: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://vendor");
    const after = url.searchParams.get("after") ?? "";
    const fault = vendor.faults.shift();
    if (fault) {
      vendor.requests.push({ at: Date.now(), after, status: fault.status });
      res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
      res.end(JSON.stringify({ message: "fault", email: "someone@example.com" }));
      return;
    }
    vendor.requests.push({ at: Date.now(), after, status: 200 });
    const from = Date.parse(url.searchParams.get("from") ?? "");
    const to = Date.parse(url.searchParams.get("to") ?? "");
    const inWindow = vendor.items
      .filter((i) => Date.parse(i.updated_at) >= from && Date.parse(i.updated_at) < to)
      .sort((a, b) => a.updated_at.localeCompare(b.updated_at) || a.id - b.id);
    const rest = inWindow.filter((i) => after === "" || keyOf(i) > after);
    const page = rest.slice(0, pageSize);
    const last = page.at(-1);
    const next = rest.length > pageSize && last ? keyOf(last) : undefined;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ results: page, ...(next !== undefined ? { next } : {}) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  Object.assign(vendor, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  return vendor;
}

const keyOf = (i: Item) => `${i.updated_at}|${String(i.id).padStart(6, "0")}`;

const ItemSchema = z.looseObject({
  id: z.number().int().positive(),
  updated_at: z.iso.datetime(),
});

/** The pull source of the fake vendor: one stream, `items`, record id `<id>:<updated_at>`. */
export function fakeSource(url: () => string, settleMs = 0): PullSource {
  return {
    name: "acme",
    streams: {
      items: {
        settleMs,
        defaultSince: "2026-01-01T00:00:00.000Z",
        contract: defineStream({
          schema: ItemSchema,
          recordId: (item) => `${item.id}:${item.updated_at}`,
          eventTime: (item) => new Date(item.updated_at),
          recordIdHint: () => undefined,
        }),
        async fetchPage({ window, cursor, fetch }) {
          const query = new URLSearchParams({
            from: window.from,
            to: window.to,
            after: cursor ?? "",
          });
          const answer = await callJson({
            fetch,
            url: `${url()}/items?${query}`,
            defaultRetryAfterMs: 1000,
          });
          const body = answer.value as { results: unknown[]; next?: string };
          return {
            records: body.results.map((value) => ({ value, json: JSON.stringify(value) })),
            next: body.next,
          };
        },
      },
    },
  };
}
