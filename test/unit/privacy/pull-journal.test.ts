import { describe, expect, it } from "vitest";
import { identifierPathsOf } from "../../../functions/core/privacy/catalog-streams.js";
import { identifierKey } from "../../../functions/core/privacy/identifiers.js";
import { rewritePullJournal } from "../../../functions/core/privacy/pull-journal-object.js";
import { createRecordMatcher } from "../../../functions/core/privacy/record-matcher.js";
import { saltedKey } from "../../../functions/core/privacy/salted-key.js";
import { decodeEntry, encodeEntry } from "../../../functions/core/pull/journal.js";
import { SOURCE_CATALOG } from "../../../functions/sources/registry.js";

const salt = "s".repeat(32);
const key = "pull/hubspot/default/contacts/journal/0000000001/00000001.ndjson";

function contactLine(id: string, email: string | null): string {
  return JSON.stringify({
    _source: "hubspot",
    _stream: "contacts",
    _record_id: `${id}:2026-11-30T10:00:00.000Z`,
    payload: { id, properties: { email, firstname: "Kim" } },
  });
}

function matcherFor(...identifiers: Array<[string, string]>) {
  const keys = new Set(
    identifiers.map(([kind, value]) => saltedKey(salt, identifierKey(kind, value) ?? "")),
  );
  return createRecordMatcher({ salt, keys, identifiersOf: identifierPathsOf(SOURCE_CATALOG) });
}

const entry = {
  header: {
    page: 1,
    cursor: null,
    next: "200",
    raw: 3,
    quarantine: 1,
    rawKey: "raw/hubspot/contacts/dt=2026-11-30/a.ndjson",
    quarantineKey: "quarantine/hubspot/contacts/dt=2026-11-30/a.ndjson",
    fetchedAt: "2026-11-30T10:00:00.000Z",
  },
  rawLines: [
    contactLine("101", "kim@example.com"),
    contactLine("102", "lee@example.com"),
    contactLine("103", null),
  ],
  quarantineLines: [JSON.stringify({ reasons: ["bad"], payload_text: "kim@example.com" })],
};

describe("erasing a person from a pull's page journal", () => {
  it("removes their raw and quarantine lines and keeps the entry decodable with true counts", () => {
    const out = rewritePullJournal(
      encodeEntry(entry),
      key,
      matcherFor(["email", "Kim@Example.com"]),
    );
    expect(out.removed).toBe(2);
    expect(out.recordIds).toEqual(["101:2026-11-30T10:00:00.000Z"]);
    const after = decodeEntry(Buffer.from(out.text ?? ""), key);
    expect(after.header).toMatchObject({ raw: 2, quarantine: 0, next: "200", page: 1 });
    expect(after.rawLines).toEqual([entry.rawLines[1], entry.rawLines[2]]);
    expect(after.quarantineLines).toEqual([]);
  });

  it("finds a contact without an email by its HubSpot id (the catalog's $.id path)", () => {
    const out = rewritePullJournal(
      encodeEntry(entry),
      key,
      matcherFor(["hubspot_contact_id", "103"]),
    );
    expect(out.removed).toBe(1);
    expect(decodeEntry(Buffer.from(out.text ?? ""), key).rawLines).toEqual(
      entry.rawLines.slice(0, 2),
    );
  });

  it("leaves entries of other people and the window markers byte for byte", () => {
    const text = encodeEntry(entry);
    expect(rewritePullJournal(text, key, matcherFor(["email", "nobody@example.com"]))).toEqual({
      text,
      removed: 0,
      recordIds: [],
    });
    const marker = '{"seq":1,"from":"a","to":"b","openedAt":"c"}';
    const windowKey = "pull/hubspot/default/contacts/windows/0000000001.json";
    expect(
      rewritePullJournal(marker, windowKey, matcherFor(["email", "kim@example.com"])).text,
    ).toBe(marker);
  });
});
