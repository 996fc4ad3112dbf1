import { join } from "node:path";
import type { Warehouse } from "../../platform/ports.js";
import type { ActivationReport } from "./activation-report.js";
import type { DemoContext } from "./demo-context.js";
import type { SendTally } from "./send-deliveries.js";

export interface DemoSummary {
  readonly run: number;
  readonly landed: Record<
    string,
    { accepted: number; quarantined: number; duplicate: number; requests: number; retried: number }
  >;
  readonly redeliveries: { requests: number; duplicate: number; accepted: number };
  readonly rawRows: Record<string, number>;
  readonly quarantine: { objects: number; records: number; reasons: Record<string, number> };
  readonly contacts: {
    total: number;
    inBothSources: number;
    adUserDataConsent: number;
    emailMarketingConsent: number;
  };
  readonly segment: { name: string; members: number; eligible: number };
  readonly activation: {
    adds: number;
    removes: number;
    batches: number;
    /** Unfinished batches of earlier (killed or failed) runs sent again. */
    resumedBatches: number;
    takenOver: number;
    accepted: number;
    audienceSize: number;
    /** One line per run this step planned or resumed: id, status, why. */
    runs: string[];
    deadLetters: number;
    complete: boolean;
  };
  /** What this run cleaned up after a killed one. */
  readonly recovered: { staleLockOf: number | undefined; leftovers: number };
  readonly where: { lake: string; warehouse: string; sandboxState: string };
}

const RAW_TABLES = ["shopify_orders", "sendgrid_events"] as const;

/** Reads back what a user would check after a run: rows, contacts, segment, audience. */
export async function summarize(ctx: DemoContext): Promise<DemoSummary> {
  const { warehouse, store } = ctx.platform;
  const tally = (ctx.results.tally ?? {}) as SendTally;
  const retried = (ctx.results.retried ?? {}) as SendTally;
  const report = ctx.results.activation as ActivationReport | undefined;
  const plan = report?.plan;

  const rawRows: Record<string, number> = {};
  for (const table of RAW_TABLES)
    rawRows[table] = await count(warehouse, `SELECT COUNT(*) AS n FROM raw.${table}`);

  const quarantine = { objects: 0, records: 0, reasons: {} as Record<string, number> };
  for (const object of await store.list("quarantine/")) {
    quarantine.objects++;
    const text = new TextDecoder().decode(await store.get(object.key));
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      quarantine.records++;
      const reasons = (JSON.parse(line) as { reasons?: string[] }).reasons ?? ["unknown"];
      for (const reason of reasons.slice(0, 1))
        quarantine.reasons[reason] = (quarantine.reasons[reason] ?? 0) + 1;
    }
  }

  const [contacts] = await warehouse.query<{ total: number; ad: number; email: number }>(
    `SELECT COUNT(*) AS total,
            COUNT(*) FILTER (WHERE consent_ad_user_data) AS ad,
            COUNT(*) FILTER (WHERE consent_email_marketing) AS email
       FROM marts.dim_contacts`,
  );
  const inBothSources = await count(
    warehouse,
    `SELECT COUNT(*) AS n FROM marts.dim_contacts c
      WHERE EXISTS (SELECT 1 FROM marts.fct_orders o WHERE o.contact_id = c.contact_id)
        AND EXISTS (SELECT 1 FROM marts.fct_email_events e WHERE e.contact_id = c.contact_id)`,
  );
  const [segment] = await warehouse.query<{ members: number; eligible: number }>(
    `SELECT COUNT(*) AS members,
            COUNT(*) FILTER (WHERE consent_ad_user_data AND email IS NOT NULL) AS eligible
       FROM marts.seg_recent_purchasers`,
  );

  const landed: DemoSummary["landed"] = {};
  for (const [source, t] of Object.entries(tally)) {
    landed[source] = {
      accepted: t.accepted,
      quarantined: t.quarantined,
      duplicate: t.duplicate,
      requests: t.requests,
      retried: t.retried,
    };
  }
  const sumRetried = (key: "requests" | "duplicate" | "accepted") =>
    Object.values(retried).reduce((n, t) => n + t[key], 0);

  return {
    run: ctx.run,
    landed,
    redeliveries: {
      requests: sumRetried("requests"),
      duplicate: sumRetried("duplicate"),
      accepted: sumRetried("accepted"),
    },
    rawRows,
    quarantine,
    contacts: {
      total: contacts?.total ?? 0,
      inBothSources,
      adUserDataConsent: contacts?.ad ?? 0,
      emailMarketingConsent: contacts?.email ?? 0,
    },
    segment: {
      name: "marts.seg_recent_purchasers",
      members: segment?.members ?? 0,
      eligible: segment?.eligible ?? 0,
    },
    activation: {
      adds: plan?.plannedAdds ?? 0,
      removes: plan?.plannedRemoves ?? 0,
      batches: plan?.batches.length ?? 0,
      resumedBatches: plan?.resumed.length ?? 0,
      takenOver: plan?.takenOver ?? 0,
      accepted: (report?.runs ?? []).reduce((n, r) => n + r.acceptedAdds + r.acceptedRemoves, 0),
      audienceSize: ctx.sandbox.members(ctx.state.metaAudienceId).length,
      runs: (report?.runs ?? []).map(
        (r) =>
          `${r.resumed ? "resumed " : ""}run ${r.runId}: ${r.status.replace("_", " ")}${r.status === "failed" || r.status === "open" ? " (why: below)" : r.reason ? ` (${r.reason})` : ""}`,
      ),
      deadLetters: report?.deadLetters ?? 0,
      complete: (report?.problems.length ?? 0) === 0,
    },
    recovered: ctx.recovered,
    where: {
      lake: store.location,
      warehouse: warehouse.location,
      sandboxState: join(ctx.platform.dir, "sandbox", "meta-audiences.json"),
    },
  };
}

async function count(warehouse: Warehouse, sql: string): Promise<number> {
  const [row] = await warehouse.query<{ n: number }>(sql);
  return Number(row?.n ?? 0);
}

/** The summary as a person reads it at the end of `unistack demo`. */
export function formatSummary(s: DemoSummary): string {
  const n = (v: number) => v.toLocaleString("en");
  const lines = [
    "",
    s.activation.complete
      ? `Unistack demo: run ${s.run} done`
      : `Unistack demo: run ${s.run} NOT finished: the audience sync did not complete (see below)`,
    "",
    "Landed (accepted / quarantined / duplicate records, per source):",
    ...Object.entries(s.landed).map(
      ([source, t]) =>
        `  ${source.padEnd(9)} ${n(t.accepted)} / ${n(t.quarantined)} / ${n(t.duplicate)}   from ${n(t.requests)} webhook requests${t.retried > 0 ? ` (${n(t.retried)} re-sent after a connection error)` : ""}`,
    ),
    `  redelivered ${n(s.redeliveries.requests)} requests → ${n(s.redeliveries.duplicate)} duplicate records, ${n(s.redeliveries.accepted)} landed again`,
    "Raw tables (all runs):",
    ...Object.entries(s.rawRows).map(
      ([table, rows]) => `  raw.${table.padEnd(16)} ${n(rows)} rows`,
    ),
    `Quarantine (all runs): ${n(s.quarantine.records)} records in ${n(s.quarantine.objects)} files`,
    ...Object.entries(s.quarantine.reasons)
      .slice(0, 5)
      .map(([reason, k]) => `  ${k} × ${reason}`),
    `Contacts resolved: ${n(s.contacts.total)} (${n(s.contacts.inBothSources)} merged across Shopify and SendGrid)`,
    `  consent: ad_user_data ${n(s.contacts.adUserDataConsent)}, email_marketing ${n(s.contacts.emailMarketingConsent)}`,
    `Segment ${s.segment.name}: ${n(s.segment.members)} members, ${n(s.segment.eligible)} with ad_user_data consent`,
    `Meta audience sync: ${n(s.activation.adds)} adds, ${n(s.activation.removes)} removes in ${n(s.activation.batches)} batches${s.activation.resumedBatches > 0 ? `, plus ${n(s.activation.resumedBatches)} unfinished batches of an earlier run resumed` : ""}${s.activation.takenOver > 0 ? `, ${n(s.activation.takenOver)} outdated batches taken over` : ""}; ${n(s.activation.accepted)} rows accepted; audience now ${n(s.activation.audienceSize)} members`,
    ...s.activation.runs.map((line) => `  ${line}`),
    ...(s.activation.deadLetters > 0
      ? [
          `  ${n(s.activation.deadLetters)} activation deliveries dead-lettered (recorded as failed batches in ops.sync_batches)`,
        ]
      : []),
    ...(s.recovered.staleLockOf !== undefined || s.recovered.leftovers > 0
      ? [
          `Recovered from a killed run: ${s.recovered.staleLockOf !== undefined ? `took over the lock of pid ${s.recovered.staleLockOf}, ` : ""}removed ${n(s.recovered.leftovers)} half-written temporary files`,
        ]
      : []),
    "",
    "Where the data lives:",
    `  lake (raw/, quarantine/, activation/): ${s.where.lake}`,
    `  warehouse (DuckDB):                    ${s.where.warehouse}`,
    `  Meta sandbox audience state:           ${s.where.sandboxState}`,
    "",
    "Try a query:",
    `  npx unistack sql "SELECT consent_ad_user_data, COUNT(*) AS contacts FROM marts.dim_contacts GROUP BY 1"`,
    s.activation.complete
      ? "Run `npm start` again for the next, incremental run (only changes reach Meta)."
      : "Fix the cause, then run the same command again: it resumes where this run stopped.",
  ];
  return lines.join("\n");
}
