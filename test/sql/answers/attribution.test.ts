import { resolve } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { compileProject } from "../../../functions/dataform/compile.js";
import type { CompiledGraph } from "../../../functions/dataform/compiled-graph.js";
import { runDuckDbGraph } from "../../../functions/dataform/run-duckdb.js";
import {
  createDuckDbWarehouse,
  type DuckDbWarehouse,
} from "../../../functions/platform/local/duckdb-warehouse.js";
import {
  EMPTY_CORE,
  loadRawTables,
  rawLine,
  type SendgridFixtureEvent,
  sendgridMessageEvent,
} from "./raw-fixtures.js";

const repoRoot = resolve(import.meta.dirname, "../../..");
const CLOSE = "2026-06-30T00:00:00.000Z";
const daysBefore = (days: number) => new Date(Date.parse(CLOSE) - days * 86_400_000).toISOString();

/** A HubSpot CRM object as our pull lands it: properties plus the associated ids. */
function crm(stream: string, id: string, properties: Record<string, string>, associations = {}) {
  return rawLine("hubspot", stream, `${id}:${CLOSE}`, {
    id,
    properties: { ...properties, lastmodifieddate: CLOSE, hs_lastmodifieddate: CLOSE },
    associations,
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: CLOSE,
  });
}

const HUBSPOT = {
  "hubspot.companies": [
    crm("companies", "77", { name: "Acme" }),
    crm("companies", "88", { name: "Beta" }),
  ],
  "hubspot.contacts": [
    crm("contacts", "501", { email: "anna@acme.example" }, { companies: ["77"] }),
    crm("contacts", "502", { email: "BEN@acme.example " }, { companies: ["77"] }),
    crm("contacts", "503", { email: "cara@beta.example" }, { companies: ["88"] }),
  ],
  "hubspot.deals": [
    crm(
      "deals",
      "900",
      { dealstage: "closedwon", amount: "1000", closedate: CLOSE, deal_currency_code: "EUR" },
      { companies: ["77"] },
    ),
    crm(
      "deals",
      "901",
      { dealstage: "closedwon", amount: "500", closedate: CLOSE, deal_currency_code: "EUR" },
      { companies: ["88"] },
    ),
    crm(
      "deals",
      "902",
      { dealstage: "closedlost", amount: "7000", closedate: CLOSE },
      { companies: ["77"] },
    ),
  ],
  "hubspot.owners": [],
  "hubspot.events": [],
};

const NEWSLETTER = { category: "newsletter" };
const WEBINAR_INVITE = { singlesend: { id: "ss-w", name: "Webinar invite" } };

/** One message: delivered an hour before `at`, then the given events at `at`. */
function message(
  id: string,
  email: string,
  at: string,
  events: readonly (string | { event: string; machineOpen: boolean })[],
  campaign: Pick<SendgridFixtureEvent, "category" | "singlesend">,
): SendgridFixtureEvent[] {
  const sent = new Date(Date.parse(at) - 3_600_000).toISOString();
  return [
    { id: `${id}-d`, message: id, email, event: "delivered", at: sent, ...campaign },
    ...events.map((e, i) => {
      const spec = typeof e === "string" ? { event: e, machineOpen: false } : e;
      return {
        id: `${id}-${i}`,
        message: id,
        email,
        event: spec.event,
        at,
        ...campaign,
        ...(spec.event === "open" ? { machineOpen: spec.machineOpen } : {}),
      };
    }),
  ];
}

const EMAIL = [
  // Outside the 180-day window: no credit.
  ...message("t0", "anna@acme.example", daysBefore(211), ["open"], NEWSLETTER),
  ...message("t1", "anna@acme.example", daysBefore(30), ["open"], NEWSLETTER),
  ...message("t2", "ben@acme.example", daysBefore(15), ["open", "click"], WEBINAR_INVITE),
  ...message("t3", "anna@acme.example", daysBefore(1), ["open", "click"], NEWSLETTER),
  // Only an Apple MPP prefetch: not a touch.
  ...message(
    "t4",
    "ben@acme.example",
    daysBefore(5),
    [{ event: "open", machineOpen: true }],
    NEWSLETTER,
  ),
  // Beta's contact got the invite but never opened it: cost, no touch.
  ...message("t5", "cara@beta.example", daysBefore(15), [], WEBINAR_INVITE),
];

let graph: CompiledGraph;
let warehouse: DuckDbWarehouse;
beforeAll(async () => {
  graph = await compileProject({
    projectDir: repoRoot,
    target: "duckdb",
    vars: { email_cost_per_message: "10" },
  });
});
beforeEach(async () => {
  warehouse = await createDuckDbWarehouse({ path: ":memory:" });
  await loadRawTables(warehouse, {
    ...EMPTY_CORE,
    ...HUBSPOT,
    "sendgrid.events": EMAIL.map(sendgridMessageEvent),
  });
  await runDuckDbGraph(warehouse, graph);
});
afterEach(async () => {
  await warehouse.close();
});

describe("multi-touch attribution of closed-won revenue", () => {
  it("credits the account's touches in the lookback window under five models", async () => {
    const rows = await warehouse.query(
      `SELECT deal_id, touch_id, channel, touch_number, touches, credit_first_touch, credit_last_touch,
         credit_linear, credit_time_decay, credit_position_based
       FROM marts.attribution_credits ORDER BY deal_id, touch_number`,
    );
    expect(rows.map((r) => [r.deal_id, r.touch_id, r.channel])).toEqual([
      ["900", "email:t1.filterdrecv-1", "email"],
      ["900", "email:t2.filterdrecv-1", "email"],
      ["900", "email:t3.filterdrecv-1", "email"],
      ["901", null, "(no touch)"],
    ]);
    const credits = (model: string) => rows.map((r) => Number(r[`credit_${model}`]));
    expect(credits("first_touch")).toEqual([1, 0, 0, 1]);
    expect(credits("last_touch")).toEqual([0, 0, 1, 1]);
    expect(credits("position_based")).toEqual([0.4, 0.2, 0.4, 1]);
    const linear = credits("linear");
    const decay = credits("time_decay");
    // Half-life 30 days: weights 0.5^(30/30), 0.5^(15/30), 0.5^(1/30), normalised.
    for (const [i, v] of [1 / 3, 1 / 3, 1 / 3, 1].entries()) expect(linear[i]).toBeCloseTo(v, 9);
    for (const [i, v] of [0.2289097703, 0.3237273018, 0.4473629279, 1].entries()) {
      expect(decay[i]).toBeCloseTo(v, 9);
    }
  });

  it("adds every model's credits of a deal up to 1, so its revenue credits to its amount", async () => {
    const sums = await warehouse.query(
      `SELECT deal_id, MAX(amount) AS amount,
         SUM(revenue_first_touch) AS first_touch, SUM(revenue_last_touch) AS last_touch,
         SUM(revenue_linear) AS linear, SUM(revenue_time_decay) AS time_decay,
         SUM(revenue_position_based) AS position_based
       FROM marts.attribution_credits GROUP BY deal_id ORDER BY deal_id`,
    );
    for (const deal of sums) {
      for (const model of ["first_touch", "last_touch", "linear", "time_decay", "position_based"]) {
        expect(Number(deal[model]), `${deal.deal_id} ${model}`).toBeCloseTo(Number(deal.amount), 9);
      }
    }
    expect(sums.map((d) => [d.deal_id, d.amount])).toEqual([
      ["900", 1000],
      ["901", 500],
    ]);
  });

  it("reports revenue per channel and model, reconciling with closed-won revenue", async () => {
    const rows = await warehouse.query(
      `SELECT model, channel, attributed_revenue, revenue_share_pct, deals, touches
       FROM reports.rpt_attribution_by_channel ORDER BY model, channel`,
    );
    const models = ["first_touch", "last_touch", "linear", "position_based", "time_decay"];
    expect(rows).toEqual(
      models.flatMap((model) => [
        {
          model,
          channel: "(no touch)",
          attributed_revenue: 500,
          revenue_share_pct: 33.33,
          deals: 1,
          touches: 0,
        },
        {
          model,
          channel: "email",
          attributed_revenue: 1000,
          revenue_share_pct: 66.67,
          deals: 1,
          touches: 3,
        },
      ]),
    );
  });

  it("sets each campaign's attributed revenue against its cost", async () => {
    const rows = await warehouse.query(
      `SELECT model, campaign_key, cost, attributed_revenue, roi_pct
       FROM reports.rpt_channel_roi ORDER BY model, campaign_key`,
    );
    expect(rows.filter((r) => r.model === "position_based" || r.model === "time_decay")).toEqual([
      {
        model: "position_based",
        campaign_key: "category:newsletter",
        cost: 40,
        attributed_revenue: 800,
        roi_pct: 1900,
      },
      {
        model: "position_based",
        campaign_key: "singlesend:ss-w",
        cost: 20,
        attributed_revenue: 200,
        roi_pct: 900,
      },
      {
        model: "time_decay",
        campaign_key: "category:newsletter",
        cost: 40,
        attributed_revenue: 676.27,
        roi_pct: 1590.7,
      },
      {
        model: "time_decay",
        campaign_key: "singlesend:ss-w",
        cost: 20,
        attributed_revenue: 323.73,
        roi_pct: 1518.6,
      },
    ]);
  });
});
