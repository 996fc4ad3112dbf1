import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readText as readBody, sendJson as send } from "../sandbox-http.js";
import {
  type MetaAdDay,
  type MetaAdsSandboxData,
  type MetaSandboxAccount,
  metaAdDay,
} from "./sandbox-data.js";

/**
 * A local Meta Marketing API for the demo and the tests, answering the Insights async flow the
 * way Graph API does: Bearer token (400 OAuthException code 190), POST act_<id>/insights →
 * `report_run_id`, GET <run> → `async_status` ("Job Not Started", "Job Running", then "Job
 * Completed" after `pollsToComplete` looks; "Job Failed" for the first `failRuns` runs),
 * GET <run>/insights paged by `after` cursors (`paging.next` only when more), one row per entity
 * and day (time_increment=1) with the requested fields, numbers as strings, zero actions left
 * out, days without delivery absent. Calls beyond `callsPerMinute` per ad account get Meta's
 * throttle answer: HTTP 400, error code 80004 and X-Business-Use-Case-Usage with
 * estimated_time_to_regain_access (minutes). `faults` queues answers for failure drills.
 */
export interface MetaAdsSandboxOptions {
  readonly data: MetaAdsSandboxData;
  readonly accessToken: string;
  readonly pollsToComplete?: number;
  readonly failRuns?: number;
  readonly callsPerMinute?: number;
  readonly pageSize?: number;
  readonly now?: () => number;
}

export interface MetaAdsSandbox {
  readonly url: string;
  readonly data: MetaAdsSandboxData;
  readonly faults: { status: number; body: unknown; headers?: Record<string, string> }[];
  readonly requests: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

interface Run {
  readonly account: MetaSandboxAccount;
  readonly rows: Record<string, unknown>[];
  readonly since: string;
  readonly until: string;
  polls: number;
  readonly fails: boolean;
}

const ENTITY_FIELDS = new Set([
  "account_id",
  "account_currency",
  "campaign_id",
  "campaign_name",
  "objective",
  "adset_id",
  "adset_name",
  "ad_id",
  "ad_name",
  "spend",
  "impressions",
  "clicks",
  "actions",
  "action_values",
  "date_start",
  "date_stop",
]);

const money = (cents: number) => (cents / 100).toFixed(2);

function sum(days: readonly MetaAdDay[]): MetaAdDay {
  const total: MetaAdDay = {
    spendCents: 0,
    impressions: 0,
    clicks: 0,
    purchases: 0,
    purchaseValueCents: 0,
    leads: 0,
  };
  for (const d of days) for (const k of Object.keys(total) as (keyof MetaAdDay)[]) total[k] += d[k];
  return total;
}

function insightRows(
  data: MetaAdsSandboxData,
  account: MetaSandboxAccount,
  level: string,
  fields: readonly string[],
  since: string,
  until: string,
) {
  const rows: Record<string, unknown>[] = [];
  for (let t = Date.parse(since); t <= Date.parse(until); t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    if (day > data.lastDay) break;
    for (const campaign of account.campaigns) {
      const groups: { ids: Record<string, string>; days: MetaAdDay[] }[] = [];
      if (level === "campaign") {
        groups.push({
          ids: {
            campaign_id: campaign.id,
            campaign_name: campaign.name,
            objective: campaign.objective,
          },
          days: campaign.adsets.flatMap((s) => s.ads.map((a) => metaAdDay(data, a.id, day))),
        });
      }
      for (const adset of campaign.adsets) {
        const setIds = {
          campaign_id: campaign.id,
          campaign_name: campaign.name,
          adset_id: adset.id,
          adset_name: adset.name,
        };
        if (level === "adset")
          groups.push({ ids: setIds, days: adset.ads.map((a) => metaAdDay(data, a.id, day)) });
        if (level === "ad") {
          for (const ad of adset.ads) {
            groups.push({
              ids: { ...setIds, ad_id: ad.id, ad_name: ad.name },
              days: [metaAdDay(data, ad.id, day)],
            });
          }
        }
      }
      for (const group of groups) {
        const m = sum(group.days);
        if (m.impressions === 0) continue;
        const actions = [
          { action_type: "link_click", value: String(m.clicks) },
          { action_type: "purchase", value: String(m.purchases) },
          { action_type: "lead", value: String(m.leads) },
        ].filter((a) => a.value !== "0");
        const full: Record<string, unknown> = {
          account_id: account.id,
          account_currency: account.currency,
          ...group.ids,
          spend: money(m.spendCents),
          impressions: String(m.impressions),
          clicks: String(m.clicks),
          ...(actions.length > 0 ? { actions } : {}),
          ...(m.purchaseValueCents > 0
            ? { action_values: [{ action_type: "purchase", value: money(m.purchaseValueCents) }] }
            : {}),
          date_start: day,
          date_stop: day,
        };
        rows.push(
          Object.fromEntries(
            Object.entries(full).filter(
              ([k]) => fields.includes(k) || k === "date_start" || k === "date_stop",
            ),
          ),
        );
      }
    }
  }
  return rows;
}

const graphError = (code: number, message: string, subcode?: number) => ({
  error: {
    message,
    type: "OAuthException",
    code,
    ...(subcode ? { error_subcode: subcode } : {}),
    fbtrace_id: "AsandboxTrace",
  },
});

export async function startMetaAdsSandbox(options: MetaAdsSandboxOptions): Promise<MetaAdsSandbox> {
  const now = options.now ?? Date.now;
  const pageSize = options.pageSize ?? 500;
  const perMinute = options.callsPerMinute ?? 600;
  let failRuns = options.failRuns ?? 0;
  const runs = new Map<string, Run>();
  const calls: number[] = [];
  const sandbox: MetaAdsSandbox = {
    url: "",
    data: options.data,
    faults: [],
    requests: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() =>
      send(res, 500, graphError(2, "An unexpected error has occurred.")),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const body = new URLSearchParams(await readBody(req));
    const method = req.method ?? "";
    const answer = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      sandbox.requests.push({ method, path: url.pathname, status });
      send(res, status, value, headers);
    };
    const fault = sandbox.faults.shift();
    if (fault) return answer(fault.status, fault.body, fault.headers);
    if (req.headers.authorization !== `Bearer ${options.accessToken}`) {
      return answer(400, graphError(190, "Invalid OAuth access token - Cannot parse access token"));
    }
    const t = now();
    while (calls.length > 0 && (calls[0] ?? 0) <= t - 60_000) calls.shift();
    if (calls.length >= perMinute) {
      const usage = {
        "1234": [
          {
            type: "ads_insights",
            call_count: 100,
            total_cputime: 40,
            total_time: 60,
            estimated_time_to_regain_access: 1,
          },
        ],
      };
      return answer(
        400,
        graphError(
          80004,
          "There have been too many calls to this ad-account. Wait a bit and try again.",
          2446079,
        ),
        {
          "x-business-use-case-usage": JSON.stringify(usage),
        },
      );
    }
    calls.push(t);
    if (method === "GET" && /^\/v\d+\.\d+\/?$/.test(url.pathname)) return ads(url, answer);
    let m = /^\/v\d+\.\d+\/act_(\d+)\/insights$/.exec(url.pathname);
    if (m && method === "POST") {
      const account = options.data.accounts.find((a) => a.id === m?.[1]);
      if (!account) return answer(400, graphError(100, "Unsupported post request.", 33));
      const level = body.get("level") ?? "";
      const fields = (body.get("fields") ?? "").split(",").filter(Boolean);
      let range: { since?: string; until?: string } = {};
      try {
        range = JSON.parse(body.get("time_range") ?? "{}") as typeof range;
      } catch {
        // Answered as an invalid parameter below.
      }
      if (
        !["campaign", "adset", "ad"].includes(level) ||
        body.get("time_increment") !== "1" ||
        !range.since ||
        !range.until ||
        fields.some((f) => !ENTITY_FIELDS.has(f))
      ) {
        return answer(400, graphError(100, "(#100) Invalid parameter"));
      }
      const id = String(6_000_000_000_000 + runs.size + 1);
      runs.set(id, {
        account,
        rows: insightRows(options.data, account, level, fields, range.since, range.until),
        since: range.since,
        until: range.until,
        polls: 0,
        fails: failRuns-- > 0,
      });
      return answer(200, { report_run_id: id });
    }
    m = /^\/v\d+\.\d+\/(\d+)(\/insights)?$/.exec(url.pathname);
    const run = m?.[1] ? runs.get(m[1]) : undefined;
    if (!m || !run || method !== "GET") {
      return answer(400, graphError(100, "Unsupported get request. Object does not exist."));
    }
    if (!m[2]) {
      run.polls++;
      const done = run.polls >= (options.pollsToComplete ?? 2);
      const status =
        run.fails && done
          ? "Job Failed"
          : done
            ? "Job Completed"
            : run.polls === 1
              ? "Job Not Started"
              : "Job Running";
      return answer(200, {
        id: m[1],
        account_id: run.account.id,
        async_status: status,
        async_percent_completion: done ? 100 : 40,
        date_start: run.since,
        date_stop: run.until,
      });
    }
    const offset = Number(
      Buffer.from(url.searchParams.get("after") ?? "", "base64").toString() || "0",
    );
    const limit = Math.min(pageSize, Number(url.searchParams.get("limit") ?? "25"));
    const data = run.rows.slice(offset, offset + limit);
    const after = Buffer.from(String(offset + data.length)).toString("base64");
    const more = offset + data.length < run.rows.length;
    return answer(200, {
      data,
      paging: {
        cursors: { before: Buffer.from(String(offset)).toString("base64"), after },
        ...(more ? { next: `${sandbox.url}${url.pathname}?limit=${limit}&after=${after}` } : {}),
      },
    });
  }

  /** Graph API multi-id read (`GET /?ids=a,b&fields=creative{id,url_tags}`), at most 50 ids. */
  function ads(url: URL, answer: (status: number, value: unknown) => void) {
    const ids = (url.searchParams.get("ids") ?? "").split(",").filter(Boolean);
    const all = options.data.accounts.flatMap((a) =>
      a.campaigns.flatMap((c) => c.adsets.flatMap((s) => s.ads)),
    );
    if (
      ids.length === 0 ||
      ids.length > 50 ||
      url.searchParams.get("fields") !== "creative{id,url_tags}"
    ) {
      return answer(400, graphError(100, "Invalid parameter"));
    }
    const out: Record<string, unknown> = {};
    for (const id of ids) {
      const ad = all.find((a) => a.id === id);
      if (!ad) return answer(400, graphError(100, `Unsupported get request.`, 33));
      out[id] = {
        id,
        creative: {
          id: String(BigInt(id) + 1_000_000_000n),
          ...(ad.urlTags ? { url_tags: ad.urlTags } : {}),
        },
      };
    }
    answer(200, out);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(sandbox, { url: `http://127.0.0.1:${port}` });
  return sandbox;
}
