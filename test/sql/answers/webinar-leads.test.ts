import { describe, expect, it } from "vitest";
import { compileProject, DataformCompileError } from "../../../functions/dataform/compile.js";
import { runDuckDbGraph } from "../../../functions/dataform/run-duckdb.js";
import { repoRoot, useGraphWarehouse } from "../fixtures.js";
import {
  EMPTY_CORE,
  loadRawTables,
  rawLine,
  sendgridMessageEvent,
  shopifyBasket,
} from "./raw-fixtures.js";

const db = useGraphWarehouse();
const NOW = Date.now();
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
// Webinar 1 ran five days ago for an hour; webinar 2 ended two hours ago.
const W1 = { uuid: "w1==", id: "111", topic: "Data Day", start: NOW - 120 * HOUR };
const W2 = { uuid: "w2==", id: "222", topic: "CDP 101", start: NOW - 3 * HOUR };
const end = (w: typeof W1) => w.start + HOUR;

function webinarEvent(w: typeof W1, event: "webinar.started" | "webinar.ended") {
  const at = event === "webinar.started" ? w.start : end(w);
  return rawLine("zoom", "webinar_events", `${event}:${w.uuid}`, {
    event,
    event_ts: at,
    payload: {
      account_id: "acc",
      object: {
        uuid: w.uuid,
        id: w.id,
        topic: w.topic,
        type: 5,
        start_time: iso(w.start),
        duration: 60,
        timezone: "UTC",
        ...(event === "webinar.ended" ? { end_time: iso(end(w)) } : {}),
      },
    },
  });
}

interface Registrant {
  readonly name: string;
  readonly domain: string;
  readonly country: string;
  readonly org?: string;
}
const emailOf = (r: Registrant) => `${r.name}@${r.domain}`;

function registration(w: typeof W1, r: Registrant) {
  return rawLine("zoom", "registration_events", `reg:${w.uuid}:${r.name}`, {
    event: "webinar.registration_created",
    event_ts: w.start - 48 * HOUR,
    payload: {
      account_id: "acc",
      object: {
        uuid: w.uuid,
        id: w.id,
        topic: w.topic,
        registrant: {
          id: `r-${r.name}`,
          email: emailOf(r).toUpperCase(),
          first_name: r.name,
          last_name: "Test",
          status: "approved",
          country: r.country,
          ...(r.org ? { org: r.org } : {}),
        },
      },
    },
  });
}

/** One stay: joined `from` minutes after the start, left `to` minutes after it. */
function stay(w: typeof W1, who: string, email: string | null, from: number, to: number) {
  const participant = { participant_uuid: `p-${who}`, user_name: who, email: email ?? "" };
  return (["joined", "left"] as const).map((kind) => {
    const at = w.start + (kind === "joined" ? from : to) * 60_000;
    return rawLine("zoom", "participant_events", `${kind}:${w.uuid}:${who}:${from}`, {
      event: `webinar.participant_${kind}`,
      event_ts: at,
      payload: {
        account_id: "acc",
        object: {
          uuid: w.uuid,
          id: w.id,
          topic: w.topic,
          participant: {
            ...participant,
            [kind === "joined" ? "join_time" : "leave_time"]: iso(at),
          },
        },
      },
    });
  });
}

/** A poll answer as Zoom's Report API gives it (pulled: `{webinar, participant, answer}`). */
function pollAnswer(w: typeof W1, who: string, email: string | null, question: string, at: number) {
  return rawLine("zoom", "poll_answers", `${w.uuid}:poll-1:${question}:${who}`, {
    webinar: { uuid: w.uuid, id: w.id, topic: w.topic },
    participant: { name: who, email: email ?? "" },
    answer: { polling_id: "poll-1", question, answer: "Yes", date_time: iso(at) },
  });
}

/** A Q&A question (pulled: `{webinar, asker, question}`). */
function qaQuestion(w: typeof W1, who: string, email: string, at: number) {
  return rawLine("zoom", "questions", `${w.uuid}:q-${who}`, {
    webinar: { uuid: w.uuid, id: w.id, topic: w.topic },
    asker: { name: who, email },
    question: {
      question: "Does it run on BigQuery?",
      question_status: "answered",
      create_time: iso(at),
    },
  });
}

const ALICE = { name: "alice", domain: "acme.example", country: "DE", org: "Acme" };
const BOB = { name: "bob", domain: "shop.example", country: "FR", org: "Shop" };
const CAROL = { name: "carol", domain: "nl.example", country: "NL" };
const DAVE = { name: "dave", domain: "acme.example", country: "DE", org: "Acme" };
const ERIN = { name: "erin", domain: "us.example", country: "US", org: "Erin Inc" };
const GINA = { name: "gina", domain: "corp.example", country: "GB", org: "Corp" };
const FINN = { name: "finn", domain: "us.example", country: "US", org: "Finn LLC" };

function crm(stream: string, id: string, properties: Record<string, string>) {
  return rawLine("hubspot", stream, `${stream}:${id}`, {
    id,
    properties: { ...properties, lastmodifieddate: iso(NOW - 200 * HOUR) },
    associations: {},
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: iso(NOW - 200 * HOUR),
  });
}

function owner(id: string, firstName: string, archived = false) {
  return rawLine("hubspot", "owners", `owner:${id}`, {
    id,
    email: `${firstName.toLowerCase()}@sales.example`,
    firstName,
    lastName: "Rep",
    archived,
    updatedAt: "2025-01-01T00:00:00.000Z",
  });
}

/** HubSpot's webhook when sales logged a call: notes_last_contacted changed. */
function contacted(contactId: number, at: number) {
  return rawLine("hubspot", "events", `contacted:${contactId}:${at}`, {
    eventId: at,
    portalId: 62515,
    subscriptionType: "contact.propertyChange",
    objectId: contactId,
    propertyName: "notes_last_contacted",
    propertyValue: String(at),
    changeSource: "CRM_UI",
    occurredAt: at,
  });
}

function clickedMessage(id: string, email: string, at: number) {
  return [
    sendgridMessageEvent({
      id: `${id}-d`,
      message: id,
      email,
      event: "delivered",
      at: iso(at - HOUR),
    }),
    sendgridMessageEvent({ id: `${id}-c`, message: id, email, event: "click", at: iso(at) }),
  ];
}

async function run(graph = db.graph) {
  await loadRawTables(db.warehouse, {
    ...EMPTY_CORE,
    "zoom.webinar_events": [W1, W2].flatMap((w) => [
      webinarEvent(w, "webinar.started"),
      webinarEvent(w, "webinar.ended"),
    ]),
    "zoom.registration_events": [
      ...[ALICE, BOB, CAROL, DAVE, ERIN, GINA].map((r) => registration(W1, r)),
      registration(W2, FINN),
    ],
    "zoom.participant_events": [
      ...stay(W1, "alice", emailOf(ALICE), 0, 60),
      // Bob dropped out and came back: 30 + 18 minutes.
      ...stay(W1, "bob", emailOf(BOB), 0, 30),
      ...stay(W1, "bob", emailOf(BOB), 42, 60),
      ...stay(W1, "dave", emailOf(DAVE), 0, 60),
      ...stay(W1, "erin", emailOf(ERIN), 50, 60),
      ...stay(W1, "gina", emailOf(GINA), 0, 60),
      // A guest without an email is counted by Zoom but is nobody's lead.
      ...stay(W1, "guest", null, 0, 60),
      ...stay(W2, "finn", emailOf(FINN), 0, 60),
    ],
    // Erin answered two poll questions and asked one; a guest's answer has no email.
    "zoom.poll_answers": [
      pollAnswer(W1, "erin", emailOf(ERIN), "Using a CDP?", W1.start + 52 * 60_000),
      pollAnswer(W1, "erin", emailOf(ERIN), "Team size?", W1.start + 53 * 60_000),
      pollAnswer(W1, "guest", null, "Using a CDP?", W1.start + 52 * 60_000),
    ],
    "zoom.questions": [qaQuestion(W1, "erin", emailOf(ERIN), W1.start + 55 * 60_000)],
    "hubspot.owners": [owner("70001", "Ana"), owner("70002", "Ben"), owner("70003", "Cleo", true)],
    "hubspot.contacts": [
      crm("contacts", "501", {
        email: "Alice@Acme.example",
        lifecyclestage: "marketingqualifiedlead",
        hubspot_owner_id: "70002",
        company: "Acme",
      }),
      crm("contacts", "502", {
        email: "dave@acme.example",
        lifecyclestage: "customer",
        hubspot_owner_id: "70001",
      }),
      // Gina's owner left the company: her lead is dealt round-robin.
      crm("contacts", "503", {
        email: "gina@corp.example",
        lifecyclestage: "subscriber",
        hubspot_owner_id: "70003",
      }),
    ],
    "hubspot.events": [
      // Before the webinar: not a follow-up.
      contacted(501, W1.start - 24 * HOUR),
      contacted(501, end(W1) + 3 * HOUR),
      contacted(503, end(W1) + 30 * HOUR),
    ],
    "sendgrid.events": [
      ...clickedMessage("m1", emailOf(ALICE), W1.start - 10 * 24 * HOUR),
      ...clickedMessage("m2", emailOf(ALICE), W1.start - 20 * 24 * HOUR),
      // Outside the 90 days of prior engagement.
      ...clickedMessage("m3", emailOf(ALICE), W1.start - 200 * 24 * HOUR),
    ],
    "shopify.orders": [
      shopifyBasket({
        id: "1",
        email: emailOf(BOB),
        firstName: "bob",
        createdAt: iso(NOW - 30 * 24 * HOUR),
        totalPrice: "40.00",
        products: [[1, "Mug"]],
      }),
    ],
  });
  await runDuckDbGraph(db.warehouse, graph);
}

describe("webinar leads to sales", () => {
  it("scores every registrant and attendee from attendance, prior engagement and fit", async () => {
    await run();
    const rows = await db.warehouse.query(
      `SELECT webinar_uuid, email, region, attended, ROUND(attended_minutes, 2) AS minutes,
         ROUND(attendance_pct, 2) AS pct, prior_email_clicks, orders_count,
         ROUND(attendance_points, 2) AS attendance, engagement_points AS engagement,
         fit_points AS fit, lead_score, is_customer, is_hot
       FROM marts.webinar_leads ORDER BY webinar_uuid, email`,
    );
    const lead = (
      uuid: string,
      r: Registrant,
      region: string,
      minutes: number,
      clicks: number,
      orders: number,
      points: [number, number, number],
      score: number,
      hot: boolean,
      customer = false,
    ) => ({
      webinar_uuid: uuid,
      email: emailOf(r),
      region,
      attended: minutes > 0,
      minutes,
      pct: Math.round((minutes / 60) * 10_000) / 100,
      prior_email_clicks: clicks,
      orders_count: orders,
      attendance: points[0],
      engagement: points[1],
      fit: points[2],
      lead_score: score,
      is_customer: customer,
      is_hot: hot,
    });
    expect(rows).toEqual([
      // 100 % attended, two clicks in the 90 days before (the third is older), DACH + company + MQL.
      lead("w1==", ALICE, "DACH", 60, 2, 0, [50, 10, 30], 90, true),
      // 48 of 60 minutes over two stays, a shop customer, France + company, not in the CRM.
      lead("w1==", BOB, "France", 48, 0, 1, [40, 5, 20], 65, true),
      // Registered, never came: fit only.
      lead("w1==", CAROL, "Benelux", 0, 0, 0, [0, 0, 10], 10, false),
      // Would score 70, but is a CRM customer: account management's, not a lead.
      lead("w1==", DAVE, "DACH", 60, 0, 0, [50, 0, 20], 70, false, true),
      // 10 minutes, but answered polls and asked a question: + 10 interaction points.
      lead("w1==", ERIN, "North America", 10, 0, 0, [8.33, 0, 20], 38, false),
      lead("w1==", GINA, "UK & Ireland", 60, 0, 0, [50, 0, 20], 70, true),
      lead("w2==", FINN, "North America", 60, 0, 0, [50, 0, 20], 70, true),
    ]);
    expect(
      await db.warehouse.query(
        `SELECT email, poll_answers, questions_asked, interaction_points FROM marts.webinar_leads
         WHERE poll_answers + questions_asked > 0`,
      ),
    ).toEqual([
      { email: emailOf(ERIN), poll_answers: 2, questions_asked: 1, interaction_points: 10 },
    ]);
  });

  it("routes hot leads to their account owner, else round-robin over active owners, with an SLA timer", async () => {
    await run();
    const rows = await db.warehouse.query<Record<string, unknown>>(
      `SELECT email, routing_method, owner_id, owner_name, routed_at, sla_hours, due_at,
         first_contact_at, ROUND(hours_to_first_contact, 2) AS hours, sla_status
       FROM marts.webinar_leads WHERE is_hot ORDER BY routed_at, email`,
    );
    const routedW1 = new Date(end(W1));
    const dueW1 = new Date(end(W1) + 24 * HOUR);
    expect(rows).toEqual([
      {
        email: emailOf(ALICE),
        routing_method: "account_owner",
        owner_id: "70002",
        owner_name: "Ben Rep",
        routed_at: routedW1,
        sla_hours: 24,
        due_at: dueW1,
        first_contact_at: new Date(end(W1) + 3 * HOUR),
        hours: 3,
        sla_status: "met",
      },
      // Round-robin in routing order (webinar end, then lead_id = SHA-256 of the email: bob's
      // sorts before gina's): Ana, Ben, then Ana again for webinar 2.
      {
        email: emailOf(BOB),
        routing_method: "round_robin",
        owner_id: "70001",
        owner_name: "Ana Rep",
        routed_at: routedW1,
        sla_hours: 24,
        due_at: dueW1,
        first_contact_at: null,
        hours: null,
        sla_status: "breached",
      },
      {
        email: emailOf(GINA),
        routing_method: "round_robin",
        owner_id: "70002",
        owner_name: "Ben Rep",
        routed_at: routedW1,
        sla_hours: 24,
        due_at: dueW1,
        first_contact_at: new Date(end(W1) + 30 * HOUR),
        hours: 30,
        sla_status: "breached",
      },
      {
        email: emailOf(FINN),
        routing_method: "round_robin",
        owner_id: "70001",
        owner_name: "Ana Rep",
        routed_at: new Date(end(W2)),
        sla_hours: 24,
        due_at: new Date(end(W2) + 24 * HOUR),
        first_contact_at: null,
        hours: null,
        sla_status: "open",
      },
    ]);
  });

  it("reports the funnel per webinar and each owner's SLA record with how late the worst breach is", async () => {
    await run();
    expect(
      await db.warehouse.query(
        `SELECT webinar_uuid, webinar_topic, registrants, attendees, ROUND(attendance_rate_pct, 2) AS rate,
           ROUND(avg_attended_minutes, 2) AS avg_minutes, hot_leads, routed_leads, sla_met,
           sla_breached, sla_open, ROUND(sla_met_pct, 2) AS met_pct
         FROM reports.rpt_webinar_funnel ORDER BY webinar_uuid`,
      ),
    ).toEqual([
      {
        webinar_uuid: "w1==",
        webinar_topic: "Data Day",
        registrants: 6,
        attendees: 5,
        rate: 83.33,
        avg_minutes: 47.6,
        hot_leads: 3,
        routed_leads: 3,
        sla_met: 1,
        sla_breached: 2,
        sla_open: 0,
        met_pct: 33.33,
      },
      {
        webinar_uuid: "w2==",
        webinar_topic: "CDP 101",
        registrants: 1,
        attendees: 1,
        rate: 100,
        avg_minutes: 60,
        hot_leads: 1,
        routed_leads: 1,
        sla_met: 0,
        sla_breached: 0,
        sla_open: 1,
        met_pct: null,
      },
    ]);
    const owners = await db.warehouse.query<Record<string, unknown>>(
      `SELECT webinar_uuid, owner_id, owner_name, hot_leads, sla_met, sla_breached, sla_open,
         ROUND(sla_met_pct, 2) AS met_pct, ROUND(avg_hours_to_first_contact, 2) AS avg_hours,
         max_hours_overdue
       FROM reports.rpt_webinar_sla ORDER BY webinar_uuid, owner_id`,
    );
    expect(owners.map(({ max_hours_overdue, ...rest }) => rest)).toEqual([
      // Ana got Bob (never called); Ben got Alice (called after 3 h) and Gina (after 30 h).
      {
        webinar_uuid: "w1==",
        owner_id: "70001",
        owner_name: "Ana Rep",
        hot_leads: 1,
        sla_met: 0,
        sla_breached: 1,
        sla_open: 0,
        met_pct: 0,
        avg_hours: null,
      },
      {
        webinar_uuid: "w1==",
        owner_id: "70002",
        owner_name: "Ben Rep",
        hot_leads: 2,
        sla_met: 1,
        sla_breached: 1,
        sla_open: 0,
        met_pct: 50,
        avg_hours: 16.5,
      },
      {
        webinar_uuid: "w2==",
        owner_id: "70001",
        owner_name: "Ana Rep",
        hot_leads: 1,
        sla_met: 0,
        sla_breached: 0,
        sla_open: 1,
        met_pct: null,
        avg_hours: null,
      },
    ]);
    // Gina was called 6 hours late; Bob is still waiting: due 4 days ago, late until now.
    const overdue = owners.map((o) => o.max_hours_overdue as number | null);
    expect(overdue[0]).toBeGreaterThan(95);
    expect(overdue[0]).toBeLessThan(97);
    expect(overdue[1]).toBeCloseTo(6, 6);
    expect(overdue[2]).toBeNull();
  });

  it("hands activation one row per routed hot lead with a contact, in the agreed columns", async () => {
    await run();
    const seg = await db.warehouse.query<Record<string, unknown>>(
      "SELECT * FROM marts.seg_hot_webinar_leads ORDER BY email",
    );
    expect(Object.keys(seg[0] ?? {})).toEqual([
      "contact_id",
      "email",
      "first_name",
      "last_name",
      "webinar_uuid",
      "webinar_topic",
      "lead_score",
      "owner_id",
      "routed_at",
      "due_at",
      "sla_hours",
      "consent_email_marketing",
      "consent_ad_user_data",
      "consent_ad_personalization",
    ]);
    // Gina and Finn are known only to Zoom and the CRM: identity reads both, so they have a contact.
    expect(seg.map((r) => [r.email, r.owner_id, r.webinar_topic, r.lead_score])).toEqual([
      [emailOf(ALICE), "70002", "Data Day", 90],
      [emailOf(BOB), "70001", "Data Day", 65],
      [emailOf(FINN), "70001", "CDP 101", 70],
      [emailOf(GINA), "70002", "Data Day", 70],
    ]);
    expect(seg.every((r) => typeof r.contact_id === "string" && r.sla_hours === 24)).toBe(true);
  });

  it("deals a region's leads round-robin to its territory's owners when webinar_territories lists it", async () => {
    const graph = await compileProject({
      projectDir: repoRoot,
      target: "duckdb",
      vars: { webinar_territories: '{"UK & Ireland":["70009"],"France":["70008","70007"]}' },
    });
    await run(graph);
    expect(
      await db.warehouse.query(
        "SELECT email, routing_method, owner_id FROM marts.webinar_leads WHERE is_hot ORDER BY email",
      ),
    ).toEqual([
      // Account ownership comes first, whatever the territory.
      { email: emailOf(ALICE), routing_method: "account_owner", owner_id: "70002" },
      { email: emailOf(BOB), routing_method: "territory", owner_id: "70008" },
      // North America is no territory: round-robin over the active owners, first turn.
      { email: emailOf(FINN), routing_method: "round_robin", owner_id: "70001" },
      { email: emailOf(GINA), routing_method: "territory", owner_id: "70009" },
    ]);
  });

  it("fails the compile naming the var when a webinar setting is not valid", async () => {
    for (const [vars, message] of [
      [{ webinar_sla_hours: "0" }, "webinar_sla_hours must be a whole number from 1 to 720"],
      [
        { webinar_territories: '{"DACH":"70001"}' },
        'webinar_territories: "DACH" must list HubSpot owner ids',
      ],
      [{ webinar_territories: "{DACH" }, "webinar_territories is not JSON"],
    ] as const) {
      const error = await compileProject({ projectDir: repoRoot, target: "duckdb", vars }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DataformCompileError);
      expect(String((error as Error).message)).toContain(message);
    }
  });

  it("counts webinar attendance as attribution touches and costs each attendee", async () => {
    await run();
    expect(
      await db.warehouse.query(
        `SELECT c.email, t.channel, t.touch_type, t.campaign_key, t.campaign_name, t.touched_at
         FROM marts.fct_touchpoints AS t JOIN marts.dim_contacts AS c USING (contact_id)
         WHERE t.channel = 'webinar' ORDER BY c.email`,
      ),
    ).toEqual([
      // Every attendee with an email has a contact (Zoom is an identity source); the guest has none.
      {
        email: emailOf(ALICE),
        channel: "webinar",
        touch_type: "attended",
        campaign_key: "webinar:111",
        campaign_name: "Data Day",
        touched_at: new Date(W1.start),
      },
      {
        email: emailOf(BOB),
        channel: "webinar",
        touch_type: "attended",
        campaign_key: "webinar:111",
        campaign_name: "Data Day",
        touched_at: new Date(W1.start),
      },
      {
        email: emailOf(DAVE),
        channel: "webinar",
        touch_type: "attended",
        campaign_key: "webinar:111",
        campaign_name: "Data Day",
        touched_at: new Date(W1.start),
      },
      {
        email: emailOf(ERIN),
        channel: "webinar",
        touch_type: "attended",
        campaign_key: "webinar:111",
        campaign_name: "Data Day",
        touched_at: new Date(W1.start + 50 * 60_000),
      },
      {
        email: emailOf(FINN),
        channel: "webinar",
        touch_type: "attended",
        campaign_key: "webinar:222",
        campaign_name: "CDP 101",
        touched_at: new Date(W2.start),
      },
      {
        email: emailOf(GINA),
        channel: "webinar",
        touch_type: "attended",
        campaign_key: "webinar:111",
        campaign_name: "Data Day",
        touched_at: new Date(W1.start),
      },
    ]);
    // 25 per attendee (webinar_cost_per_attendee): six people joined webinar 1 (the guest too).
    expect(
      await db.warehouse.query(
        `SELECT campaign_key, cost, attributed_revenue FROM reports.rpt_channel_roi
         WHERE channel = 'webinar' AND model = 'linear' ORDER BY campaign_key`,
      ),
    ).toEqual([
      { campaign_key: "webinar:111", cost: 150, attributed_revenue: 0 },
      { campaign_key: "webinar:222", cost: 25, attributed_revenue: 0 },
    ]);
  });
});
