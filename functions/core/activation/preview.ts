import type { DiffItem, MembershipDiff } from "./diff.js";
import type { FieldValue } from "./members.js";

/**
 * What `unistack sync --dry-run` shows of a plan: counts and a few rows per change, with no
 * personal data on screen. Keys are cut to their first 12 hex digits (enough to find the row in
 * ops.sync_members, not enough to test a guessed email against), values are masked to their
 * first character, and only consent states are shown as they are.
 */

export interface PreviewRow {
  readonly contactIds: readonly string[];
  /** First 12 hex digits of the member key. */
  readonly key: string;
  /** Field → masked value (`a•••@e•••.com`, `J•••`); consent states in clear. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface PlanPreview {
  readonly adds: readonly PreviewRow[];
  readonly updates: readonly PreviewRow[];
  readonly removes: readonly PreviewRow[];
}

const IN_CLEAR = new Set(["ad_user_data", "ad_personalization", "priority"]);

export function previewOf(
  diff: Pick<MembershipDiff, "adds" | "updates" | "removes">,
  size = 3,
): PlanPreview {
  const rows = (items: readonly DiffItem[]) => items.slice(0, size).map(previewRow);
  return { adds: rows(diff.adds), updates: rows(diff.updates), removes: rows(diff.removes) };
}

function previewRow(item: DiffItem): PreviewRow {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(item.payload?.fields ?? {})) {
    fields[name] = IN_CLEAR.has(name) ? String(value) : mask(value);
  }
  for (const name of Object.keys(item.payload?.keys ?? {})) fields[name] = "sha256…";
  return { contactIds: item.contactIds, key: item.identifierHash.slice(0, 12), fields };
}

/** `ann@example.com` → `a•••@e•••.com`; other text → its first character and `•••`. */
export function mask(value: FieldValue): string {
  if (value === null) return "∅";
  const text = String(value);
  if (text === "") return "";
  const at = text.indexOf("@");
  if (at > 0) {
    const domain = text.slice(at + 1);
    const dot = domain.lastIndexOf(".");
    const tld = dot > 0 ? domain.slice(dot) : "";
    return `${[...text][0]}•••@${[...domain][0] ?? ""}•••${tld}`;
  }
  return `${[...text][0]}•••`;
}
