import { describe, expect, it } from "vitest";
import type { StreamContract } from "../../functions/core/ingest/source.js";
import { runDuckDbGraph } from "../../functions/dataform/run-duckdb.js";
import { participantEventsStream } from "../../functions/sources/zoom/extract.js";
import {
  pollAnswersContract,
  questionsContract,
} from "../../functions/sources/zoom/pull-contracts.js";
import { type ItemKind, itemRecords } from "../../functions/sources/zoom/pull-records.js";
import { zoomApi } from "../unit/sources/zoom/vectors.js";
import { loadRaw, rawRow, useGraphWarehouse } from "./fixtures.js";

const db = useGraphWarehouse();

type Json = Record<string, unknown>;
const sample = (event: string) =>
  structuredClone(zoomApi.webhooks[event]) as Json & {
    event_ts: number;
    payload: { object: Json & { participant?: Json; registrant?: Json } };
  };

function participantEvent(kind: "joined" | "left", at: string, who: Json = {}) {
  const event = sample(`webinar.participant_${kind}`);
  const participant = { ...event.payload.object.participant, ...who };
  if (kind === "joined") participant.join_time = at;
  else participant.leave_time = at;
  event.payload.object.participant = participant;
  event.event_ts = Date.parse(at);
  const key = String(participant.participant_uuid ?? participant.email);
  return rawRow(
    "zoom",
    "participant_events",
    `webinar.participant_${kind}:${event.payload.object.uuid}:${key}:${at}`,
    event,
  );
}

describe("Zoom staging", () => {
  it("pairs each join with the next leave: a participant who drops out and rejoins has two stays", async () => {
    await loadRaw(db.warehouse, {
      lines: [
        participantEvent("joined", "2021-07-13T21:45:00Z"),
        participantEvent("left", "2021-07-13T22:00:00Z"),
        participantEvent("joined", "2021-07-13T22:05:00Z"),
        participantEvent("left", "2021-07-13T22:50:51Z"),
        // Zoom retried the last leave: the same record lands twice in raw.
        participantEvent("left", "2021-07-13T22:50:51Z"),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(
      await db.warehouse.query(
        "SELECT participant_key, registrant_id, email, joined_at, left_at, duration_seconds FROM staging.stg_zoom__participants ORDER BY joined_at",
      ),
    ).toEqual([
      {
        participant_key: "55555AAAiAAAAAiAiAiiAii",
        registrant_id: "abcdefghij0-klmnopq23456",
        email: "jchill@example.com",
        joined_at: new Date("2021-07-13T21:45:00Z"),
        left_at: new Date("2021-07-13T22:00:00Z"),
        duration_seconds: 900,
      },
      {
        participant_key: "55555AAAiAAAAAiAiAiiAii",
        registrant_id: "abcdefghij0-klmnopq23456",
        email: "jchill@example.com",
        joined_at: new Date("2021-07-13T22:05:00Z"),
        left_at: new Date("2021-07-13T22:50:51Z"),
        duration_seconds: 2751,
      },
    ]);
  });

  it("keeps a stay whose leave has not arrived open, and a leave without its join", async () => {
    await loadRaw(db.warehouse, {
      lines: [
        participantEvent("joined", "2021-07-13T21:45:00Z", {
          participant_uuid: "A",
          email: "a@x.io",
        }),
        participantEvent("left", "2021-07-13T22:00:00Z", {
          participant_uuid: "B",
          email: "b@x.io",
        }),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(
      await db.warehouse.query(
        "SELECT participant_key, joined_at IS NULL AS no_join, left_at IS NULL AS no_leave, duration_seconds FROM staging.stg_zoom__participants ORDER BY 1",
      ),
    ).toEqual([
      { participant_key: "A", no_join: false, no_leave: true, duration_seconds: null },
      { participant_key: "B", no_join: true, no_leave: false, duration_seconds: null },
    ]);
  });

  it("reduces registration events to the registrant's latest status", async () => {
    const created = sample("webinar.registration_created");
    const cancelled = sample("webinar.registration_cancelled");
    cancelled.event_ts = created.event_ts + 60_000;
    await loadRaw(db.warehouse, {
      lines: [
        rawRow("zoom", "registration_events", "c1", created),
        rawRow("zoom", "registration_events", "x1", cancelled),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(
      await db.warehouse.query(
        "SELECT registration_id, email, status, registered_at, status_changed_at, tracking_source, org FROM staging.stg_zoom__registrants",
      ),
    ).toEqual([
      {
        registration_id: "1234567890:iFxeBPYun6SAiWUzBcEkX",
        email: "jchill@example.com",
        status: "cancelled",
        registered_at: new Date(created.event_ts),
        status_changed_at: new Date(cancelled.event_ts),
        tracking_source: "general",
        org: null,
      },
    ]);
  });

  it("builds one row per webinar occurrence from every event that names it", async () => {
    await loadRaw(db.warehouse, {
      lines: [
        rawRow("zoom", "webinar_events", "s", sample("webinar.started")),
        rawRow("zoom", "webinar_events", "e", sample("webinar.ended")),
        participantEvent("joined", "2021-07-13T21:45:00Z"),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(
      await db.warehouse.query(
        "SELECT webinar_uuid, webinar_id, topic, webinar_type, scheduled_duration_minutes, ended_at, is_deleted FROM staging.stg_zoom__webinars",
      ),
    ).toEqual([
      {
        webinar_uuid: "4444AAAiAAAAAiAiAiiAii==",
        webinar_id: "1234567890",
        topic: "My Webinar",
        webinar_type: 5,
        scheduled_duration_minutes: 60,
        ended_at: new Date("2021-07-13T23:00:51Z"),
        is_deleted: false,
      },
    ]);
  });

  it("stages pulled poll answers and Q&A per occurrence, and a stay both pulled and webhooked once", async () => {
    const occurrence = { id: "1234567890", uuid: "4444AAAiAAAAAiAiAiiAii==" };
    const pulled = (kind: ItemKind, stream: string, contract: StreamContract, answer: unknown) =>
      itemRecords(kind, answer, occurrence, "AAAAAABBBB").map((r) => {
        const check = contract.check(r.value);
        if (!check.ok) throw new Error(check.reasons.join("; "));
        return rawRow("zoom", stream, check.recordId, r.value);
      });
    const hook = sample("webinar.participant_joined");
    const p = hook.payload.object.participant as Json;
    const report = {
      participants: [
        {
          user_id: p.user_id,
          name: p.user_name,
          user_email: p.email,
          registrant_id: p.registrant_id,
          join_time: p.join_time,
        },
      ],
    };
    const hookCheck = participantEventsStream.check(hook);
    if (!hookCheck.ok) throw new Error("webhook sample refused");
    await loadRaw(db.warehouse, {
      lines: [
        ...pulled(
          "polls",
          "poll_answers",
          pollAnswersContract,
          zoomApi.endpoints["GET /report/webinars/{webinarId}/polls"],
        ),
        ...pulled(
          "questions",
          "questions",
          questionsContract,
          zoomApi.endpoints["GET /report/webinars/{webinarId}/qa"],
        ),
        ...pulled("participants", "participant_events", participantEventsStream, report),
        rawRow("zoom", "participant_events", hookCheck.recordId, hook),
      ],
    });
    await runDuckDbGraph(db.warehouse, db.graph);
    expect(
      await db.warehouse.query(
        "SELECT webinar_uuid, polling_id, question, answer, email, answered_at, connection_id FROM staging.stg_zoom__poll_answers",
      ),
    ).toEqual([
      {
        webinar_uuid: "4444AAAiAAAAAiAiAiiAii==",
        polling_id: "798fGJEWrA",
        question: "How are you?",
        answer: "I am wonderful.",
        email: "jchill@example.com",
        answered_at: new Date("2022-02-01T12:37:12.660Z"),
        connection_id: "default",
      },
    ]);
    expect(
      await db.warehouse.query(
        "SELECT question_id, question, question_status, is_answered, email, asked_at FROM staging.stg_zoom__questions",
      ),
    ).toEqual([
      {
        question_id: "4444AAAiAAAAAiAiAiiAii==:zxU4wOwnlxs",
        question: "how are you",
        question_status: "open",
        is_answered: false,
        email: "jchilll@example.com",
        asked_at: new Date("2022-03-15T07:48:00Z"),
      },
    ]);
    expect(
      await db.warehouse.query("SELECT COUNT(*)::INT AS stays FROM staging.stg_zoom__participants"),
    ).toEqual([{ stays: 1 }]);
  });
});
