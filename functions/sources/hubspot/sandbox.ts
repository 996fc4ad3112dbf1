import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readText as readBody, sendJson as send } from "../sandbox-http.js";
import type { HubspotSandboxData, SandboxCrmObject } from "./sandbox-data.js";

/**
 * A local HubSpot for the demo and the tests, answering the calls our pull makes the way HubSpot
 * documents them: Bearer auth (401 `INVALID_AUTHENTICATION`), CRM search with `GTE`/`LT` filters
 * on the modification property, ascending sort, `limit` ≤ 200 and `after` paging that stops at
 * 10,000 results (400 `VALIDATION_ERROR` beyond), search limited to 5 requests a second per token
 * (429 `RATE_LIMIT`, policy `SECONDLY`, no Retry-After), v4 association batch reads, a v3 batch read
 * with `propertiesWithHistory`, and the owners list. `faults` queues answers for failure drills.
 */
export interface HubspotSandboxOptions {
  readonly data: HubspotSandboxData;
  readonly token: string;
  readonly searchPerSecond?: number;
  readonly searchWindow?: number;
  readonly now?: () => number;
}

export interface HubspotSandbox {
  readonly url: string;
  readonly data: HubspotSandboxData;
  /** Answers to give instead of the next requests, in order (e.g. a 502, a 429). */
  readonly faults: { status: number; headers?: Record<string, string> }[];
  /** Every request: method, path and status, in order. */
  readonly requests: { method: string; path: string; status: number; at: number }[];
  close(): Promise<void>;
}

const MODIFIED: Readonly<Record<string, string>> = {
  contacts: "lastmodifieddate",
  companies: "hs_lastmodifieddate",
  deals: "hs_lastmodifieddate",
};

export async function startHubspotSandbox(options: HubspotSandboxOptions): Promise<HubspotSandbox> {
  const now = options.now ?? Date.now;
  const perSecond = options.searchPerSecond ?? 5;
  const windowSize = options.searchWindow ?? 10_000;
  const searches: number[] = [];
  const sandbox: HubspotSandbox = {
    url: "",
    data: options.data,
    faults: [],
    requests: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() =>
      send(res, 500, { status: "error", message: "internal error", category: "INTERNAL_ERROR" }),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const path = url.pathname;
    const log = (status: number) =>
      sandbox.requests.push({ method: req.method ?? "", path, status, at: now() });
    const body = await readBody(req);
    const fault = sandbox.faults.shift();
    if (fault) {
      log(fault.status);
      return send(
        res,
        fault.status,
        { status: "error", message: "sandbox fault", category: "INTERNAL_ERROR" },
        fault.headers,
      );
    }
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      log(401);
      return send(res, 401, {
        status: "error",
        message: "Authentication credentials not found.",
        category: "INVALID_AUTHENTICATION",
      });
    }
    let m = /^\/crm\/v3\/objects\/(contacts|companies|deals)\/search$/.exec(path);
    if (m?.[1] && req.method === "POST") {
      const t = now();
      while (searches.length > 0 && (searches[0] ?? 0) <= t - 1000) searches.shift();
      if (searches.length >= perSecond) {
        log(429);
        return send(res, 429, {
          status: "error",
          message: "You have reached your secondly limit.",
          errorType: "RATE_LIMIT",
          policyName: "SECONDLY",
          category: "RATE_LIMITS",
        });
      }
      searches.push(t);
      const answer = search(m[1], JSON.parse(body || "{}"));
      log(answer.status);
      return send(res, answer.status, answer.body);
    }
    m =
      /^\/crm\/v4\/associations\/(contacts|companies|deals)\/(contacts|companies|deals)\/batch\/read$/.exec(
        path,
      );
    if (m?.[1] && m[2] && req.method === "POST") {
      const table = options.data.associations[`${m[1]}/${m[2]}`] ?? {};
      const inputs = (JSON.parse(body || "{}") as { inputs?: { id: string }[] }).inputs ?? [];
      const results = inputs
        .filter((i) => (table[i.id] ?? []).length > 0)
        .map((i) => ({
          from: { id: i.id },
          to: (table[i.id] ?? []).map((id) => ({
            toObjectId: Number(id),
            associationTypes: [{ category: "HUBSPOT_DEFINED", typeId: 1, label: null }],
          })),
        }));
      log(200);
      return send(res, 200, {
        status: "COMPLETE",
        results,
        startedAt: new Date(now()).toISOString(),
        completedAt: new Date(now()).toISOString(),
      });
    }
    if (path === "/crm/v3/objects/deals/batch/read" && req.method === "POST") {
      const request = JSON.parse(body || "{}") as {
        inputs?: { id: string }[];
        propertiesWithHistory?: string[];
      };
      const byId = new Map(options.data.deals.map((d) => [d.id, d]));
      const results = (request.inputs ?? []).flatMap((i) => {
        const deal = byId.get(i.id);
        if (!deal) return [];
        const history = request.propertiesWithHistory?.includes("dealstage")
          ? {
              dealstage: [...deal.stageHistory]
                .reverse()
                .map((h) => ({ value: h.value, timestamp: h.timestamp, sourceType: "CRM_UI" })),
            }
          : {};
        return [{ ...publicObject(deal), propertiesWithHistory: history }];
      });
      log(200);
      return send(res, 200, { status: "COMPLETE", results });
    }
    if (path === "/crm/v3/owners" && req.method === "GET") {
      const limit = Math.min(Number(url.searchParams.get("limit") ?? "100"), 500);
      const after = Number(url.searchParams.get("after") ?? "0");
      const owners = [...options.data.owners].sort((a, b) => Number(a.id) - Number(b.id));
      const page = owners.slice(after, after + limit);
      const next = after + limit < owners.length ? String(after + limit) : undefined;
      log(200);
      return send(res, 200, {
        results: page,
        ...(next ? { paging: { next: { after: next } } } : {}),
      });
    }
    log(404);
    return send(res, 404, { status: "error", message: "Not found", category: "OBJECT_NOT_FOUND" });
  }

  function search(
    type: string,
    request: Record<string, unknown>,
  ): { status: number; body: unknown } {
    const property = MODIFIED[type] as string;
    const limit = Number(request.limit ?? 10);
    const after = Number(request.after ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
      return validation("limit must be between 1 and 200");
    }
    if (after + limit > windowSize) {
      return validation(`Paging is limited to ${windowSize} results; refine the filter`);
    }
    const filters = (
      (request.filterGroups as
        | { filters?: { propertyName: string; operator: string; value: string }[] }[]
        | undefined) ?? []
    ).flatMap((g) => g.filters ?? []);
    const objects = (options.data as unknown as Record<string, SandboxCrmObject[]>)[type] ?? [];
    const matching = objects
      .filter((o) =>
        filters.every((f) => {
          const value = Date.parse(o.properties[f.propertyName] ?? "");
          if (f.operator === "GTE") return value >= Number(f.value);
          if (f.operator === "LT") return value < Number(f.value);
          return true;
        }),
      )
      .sort(
        (a, b) =>
          Date.parse(a.properties[property] ?? "") - Date.parse(b.properties[property] ?? "") ||
          Number(a.id) - Number(b.id),
      );
    const page = matching.slice(after, after + limit);
    const next = after + limit < matching.length ? String(after + limit) : undefined;
    return {
      status: 200,
      body: {
        total: matching.length,
        results: page.map(publicObject),
        ...(next ? { paging: { next: { after: next, link: null } } } : {}),
      },
    };
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  Object.assign(sandbox, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  return sandbox;
}

function publicObject(o: SandboxCrmObject) {
  return {
    id: o.id,
    properties: { ...o.properties, hs_object_id: o.id },
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    archived: false,
  };
}

function validation(message: string) {
  return { status: 400, body: { status: "error", message, category: "VALIDATION_ERROR" } };
}
