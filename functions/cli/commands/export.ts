import { writeFile } from "node:fs/promises";
import { accessDocumentJson, exportPerson } from "../../core/privacy/access-export.js";
import { parseAccessRequest } from "../../core/privacy/access-request.js";
import { EXIT } from "../options.js";
import { openLocalPrivacy } from "../privacy/local-privacy.js";

export interface ExportFlags {
  readonly email: string[];
  readonly phone: string[];
  readonly contact: string[];
  readonly out?: string;
  readonly dir: string;
  readonly project: string;
}

/**
 * `unistack export`: everything the local deployment holds about a person, as one JSON document
 * (GDPR art. 15): raw records per source and stream, quarantined records, rows of every table,
 * consent history, destination state. Written to `--out`, or to stdout.
 */
export async function exportCommand(flags: ExportFlags): Promise<number> {
  if (flags.email.length + flags.phone.length + flags.contact.length === 0) {
    console.error("unistack export: name the person with --email, --phone or --contact");
    return EXIT.usage;
  }
  const request = parseAccessRequest({
    kind: "export",
    origin: "cli",
    emails: flags.email,
    phones: flags.phone,
    contactIds: flags.contact,
  });
  const local = await openLocalPrivacy({ dir: flags.dir, projectDir: flags.project });
  try {
    const document = await exportPerson(local.deps, request, local.deps.clock.now());
    const json = accessDocumentJson(document);
    if (flags.out) {
      await writeFile(flags.out, json, { mode: 0o600 });
      const records = Object.values(document.sources)
        .flatMap((s) => Object.values(s))
        .reduce((n, r) => n + r.length, 0);
      console.error(
        `unistack export: ${records} source records, ${Object.keys(document.tables).length} tables, ${document.consentHistory.length} consent decisions written to ${flags.out}`,
      );
    } else {
      process.stdout.write(json);
    }
    return EXIT.ok;
  } finally {
    await local.close();
  }
}
