import { join } from "node:path";
import type { ErasureOutcome } from "../../core/privacy/erasure.js";
import { resumeErasures, runErasure } from "../../core/privacy/erasure.js";
import { parseErasureRequest } from "../../core/privacy/erasure-request.js";
import { handleVendorRequests } from "../../core/privacy/vendor-requests.js";
import { compactDuckDbFile } from "../../platform/local/duckdb-compact.js";
import { EXIT } from "../options.js";
import { openLocalPrivacy } from "../privacy/local-privacy.js";

export interface EraseFlags {
  readonly email: string[];
  readonly phone: string[];
  readonly contact: string[];
  readonly dir: string;
  readonly project: string;
  readonly deep: boolean;
  readonly resume: boolean;
  readonly reapply: boolean;
  /** Handle the privacy requests vendors sent as records (Shopify customers/redact…). */
  readonly requests?: boolean;
}

/**
 * `unistack erase`: erases a person from the local deployment (lake, raw and model tables, the
 * Meta sandbox through activate-meta), adds them to the suppression list and prints the report.
 * Exit 0 when completed; 1 when a destination still holds them (run `--resume` later).
 */
export async function eraseCommand(flags: EraseFlags): Promise<number> {
  const named = flags.email.length + flags.phone.length + flags.contact.length;
  if (named === 0 && !flags.resume && !flags.reapply && !flags.requests) {
    console.error(
      "unistack erase: name the person with --email, --phone or --contact (or pass --resume, --reapply or --requests)",
    );
    return EXIT.usage;
  }
  const request =
    named > 0 || flags.reapply
      ? parseErasureRequest({
          kind: "erase",
          origin: "cli",
          emails: flags.email,
          phones: flags.phone,
          contactIds: flags.contact,
          deep: flags.deep,
          reapply: flags.reapply,
        })
      : undefined;
  const local = await openLocalPrivacy({ dir: flags.dir, projectDir: flags.project });
  let closed = false;
  try {
    const outcomes: ErasureOutcome[] = await resumeErasures(local.deps);
    if (request) outcomes.push(await runErasure(local.deps, request));
    let waiting = 0;
    if (flags.requests) {
      const handled = await handleVendorRequests(local.deps);
      for (const h of handled) {
        if (h.erasure) outcomes.push(h.erasure);
        outcomes.push(...(h.erasures ?? []));
        const where = h.exportKey
          ? `: lake ${h.exportKey}`
          : h.erasureId
            ? ` (${h.erasureId})`
            : "";
        console.log(`${h.source} ${h.stream} request: ${h.status}${where}`);
        if (h.status === "needs_operator") {
          waiting++;
          console.log(
            "  names no person the declarations can find: erase them by hand, see docs/privacy.md",
          );
        }
      }
      if (handled.length === 0) console.log("no new privacy request from a source");
    }
    for (const outcome of outcomes) {
      printOutcome(outcome);
      if (outcome.state.status !== "completed") waiting++;
    }
    if (outcomes.length === 0 && !flags.requests) console.log("no erasure to resume");
    await local.close();
    closed = true;
    // DuckDB keeps deleted rows' bytes in free blocks: rewrite the file so they are gone.
    if (outcomes.length > 0) await compactDuckDbFile(join(flags.dir, "warehouse.duckdb"));
    return waiting > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    if (!closed) await local.close();
  }
}

function printOutcome({ state, report, reportKey }: ErasureOutcome): void {
  const n = (v: number) => v.toLocaleString("en");
  console.log(`erasure ${state.id}: ${state.status}`);
  const width = Math.max(10, ...report.removed.map((r) => r.location.length));
  for (const r of report.removed) console.log(`  ${r.location.padEnd(width)}  ${n(r.count)}`);
  console.log(
    `  lake objects read ${n(report.lakeObjects.read)}, rewritten ${n(report.lakeObjects.rewritten)}, deleted ${n(report.lakeObjects.deleted)}; suppression keys added ${n(report.suppressionKeysAdded)}`,
  );
  if (report.stillHeld.length > 0) {
    console.log(
      `  destinations still hold the person (${report.stillHeld.join("; ")}): run \`unistack erase --resume\` once they answer`,
    );
  }
  if (reportKey) console.log(`  report: lake ${reportKey} and privacy.erasure_reports`);
}
