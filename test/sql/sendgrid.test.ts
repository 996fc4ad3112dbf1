import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runDuckDbGraph } from "../../functions/dataform/run-duckdb.js";
import { singlesendStatsContract } from "../../functions/sources/sendgrid/stats-pull.js";
import { loadRaw, rawRow, useGraphWarehouse } from "./fixtures.js";

const db = useGraphWarehouse();

/** SendGrid's documented events (test/fixtures/vendor-api/sendgrid.json, provenance inside). */
const documented = (
  JSON.parse(
    readFileSync(resolve(import.meta.dirname, "../fixtures/vendor-api/sendgrid.json"), "utf8"),
  ) as { webhook_events: Record<string, Record<string, unknown>> }
).webhook_events;

type Event = Record<string, unknown>;
const line = (event: Event) => rawRow("sendgrid", "events", String(event.sg_event_id), event);

describe("SendGrid staging: the full event set", () => {
  it("stages every documented event type with its group, reason, bounce type and machine-open flag", async () => {
    await loadRaw(db.warehouse, { events: Object.values(documented).map(line) });
    await runDuckDbGraph(db.warehouse, db.graph);
    const rows = await db.warehouse.query(
      "SELECT event_type, count(*) AS n, max(asm_group_id) AS asm_group_id, max(bounce_type) AS bounce_type, max(reason) AS reason, bool_or(is_machine_open) AS machine FROM staging.stg_sendgrid__events GROUP BY 1 ORDER BY 1",
    );
    expect(rows.map((r) => r.event_type)).toEqual([
      "bounce",
      "click",
      "deferred",
      "delivered",
      "dropped",
      "group_resubscribe",
      "group_unsubscribe",
      "open",
      "processed",
      "spamreport",
      "unsubscribe",
    ]);
    const by = Object.fromEntries(rows.map((r) => [r.event_type, r]));
    // The bounce and the blocked bounce share one sg_event_id in the samples: one row.
    expect(by.bounce).toMatchObject({ n: 1, reason: "500 unknown recipient" });
    expect(by.group_unsubscribe).toMatchObject({ asm_group_id: 10 });
    expect(by.dropped).toMatchObject({ reason: "Bounced Address" });
    expect(by.open).toMatchObject({ machine: false });
  });

  it("ties every event of a Single Send's message to the Single Send, even those that do not name it", async () => {
    const message = "oirD2QEKQYKs6NGAOpCqiQ";
    const singleSend = {
      mc_stats: "singlesend",
      phase_id: "send",
      send_at: "1639468221",
      singlesend_id: "fc59bd25-5cb1-11ec-a05d-f2509ce774e9",
      singlesend_name: "Untitled Single Send",
      template_id: "d-355ddad65f7f43f2bc7f1b8536401415",
    };
    const base = { email: "some@email.com", timestamp: 1639468306, category: ["promo", "nov"] };
    await loadRaw(db.warehouse, {
      events: [
        line({
          ...base,
          ...singleSend,
          event: "delivered",
          sg_event_id: "d1",
          sg_message_id: `${message}.filterdrecv-1`,
        }),
        // An asynchronous bounce names the message but no campaign field.
        line({
          ...base,
          event: "bounce",
          sg_event_id: "b1",
          sg_message_id: `${message}.filterdrecv-2`,
          type: "blocked",
        }),
        // A legacy campaign's message, categories as one string.
        line({
          ...base,
          category: "cat facts",
          event: "open",
          sg_event_id: "o1",
          sg_message_id: "other.filter0001",
          marketing_campaign_id: 12345,
          marketing_campaign_name: "Spring",
        }),
        // No message id: attributed to nothing.
        line({ ...base, category: [], event: "processed", sg_event_id: "p1" }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(
      await db.warehouse.query(
        "SELECT event_id, message_key, category, singlesend_id, singlesend_name, template_id, marketing_campaign_id, marketing_campaign_name FROM staging.stg_sendgrid__events ORDER BY event_id",
      ),
    ).toEqual([
      {
        event_id: "b1",
        message_key: message,
        category: "promo",
        singlesend_id: singleSend.singlesend_id,
        singlesend_name: "Untitled Single Send",
        template_id: singleSend.template_id,
        marketing_campaign_id: null,
        marketing_campaign_name: null,
      },
      {
        event_id: "d1",
        message_key: message,
        category: "promo",
        singlesend_id: singleSend.singlesend_id,
        singlesend_name: "Untitled Single Send",
        template_id: singleSend.template_id,
        marketing_campaign_id: null,
        marketing_campaign_name: null,
      },
      {
        event_id: "o1",
        message_key: "other",
        category: "cat facts",
        singlesend_id: null,
        singlesend_name: null,
        template_id: null,
        marketing_campaign_id: "12345",
        marketing_campaign_name: "Spring",
      },
      {
        event_id: "p1",
        message_key: null,
        category: null,
        singlesend_id: null,
        singlesend_name: null,
        template_id: null,
        marketing_campaign_id: null,
        marketing_campaign_name: null,
      },
    ]);
    expect(
      await db.warehouse.query(
        "SELECT event_id, category FROM staging.stg_sendgrid__event_categories ORDER BY 1, 2",
      ),
    ).toEqual([
      { event_id: "b1", category: "nov" },
      { event_id: "b1", category: "promo" },
      { event_id: "d1", category: "nov" },
      { event_id: "d1", category: "promo" },
      { event_id: "o1", category: "cat facts" },
    ]);
  });
});

describe("SendGrid staging: Single Send stats", () => {
  it("keeps each Single Send's latest pulled totals, not a sum of the snapshots", async () => {
    const snapshot = (pulledAt: string, window: number, opens: number) => {
      const value = {
        pulled_at: pulledAt,
        window,
        stat: {
          id: "a14dcc63-d651-4c57-9826-4a3705f5c78d",
          ab_variation: "all",
          ab_phase: "all",
          aggregation: "total",
          stats: {
            requests: 100,
            delivered: 98,
            opens,
            unique_opens: opens - 5,
            clicks: 7,
            unique_clicks: 6,
          },
        },
      };
      const check = singlesendStatsContract.check(value);
      if (!check.ok) throw new Error(check.reasons.join("; "));
      return rawRow("sendgrid", "singlesend_stats", check.recordId, value);
    };
    await loadRaw(db.warehouse, {
      lines: [
        snapshot("2026-03-01T06:00:00.000Z", 1, 40),
        snapshot("2026-03-02T06:00:00.000Z", 2, 55),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(
      await db.warehouse.query(
        "SELECT singlesend_id, requests, delivered, opens, unique_opens, pulled_at, connection_id FROM staging.stg_sendgrid__singlesend_stats",
      ),
    ).toEqual([
      {
        singlesend_id: "a14dcc63-d651-4c57-9826-4a3705f5c78d",
        requests: 100,
        delivered: 98,
        opens: 55,
        unique_opens: 50,
        pulled_at: new Date("2026-03-02T06:00:00.000Z"),
        connection_id: "default",
      },
    ]);
  });
});
