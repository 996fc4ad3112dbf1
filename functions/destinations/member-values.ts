import { hash } from "node:crypto";
import type { FieldValue, SegmentMember } from "../core/activation/members.js";
import {
  DEFAULT_COLUMNS,
  type IdentifierKind,
  type SyncConfig,
} from "../core/activation/sync-config.js";

/**
 * Reading a segment row for a destination: which column holds each identifier, the row's value
 * (blank is absent), the region its phone number is read in, and payload digests.
 */

export function columnOf(sync: SyncConfig, kind: IdentifierKind): string {
  return sync.columns[kind] ?? DEFAULT_COLUMNS[kind];
}

/** The row's value for an identifier, trimmed; `undefined` when absent or blank. */
export function identifierValue(
  member: SegmentMember,
  sync: SyncConfig,
  kind: IdentifierKind,
): string | undefined {
  const value = member.values[columnOf(sync, kind)];
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** Region a national phone number is read in: the row's country, else the sync's default. */
export function phoneRegion(member: SegmentMember, sync: SyncConfig): string | undefined {
  const country = identifierValue(member, sync, "country");
  return country && /^[A-Za-z]{2}$/.test(country) ? country.toUpperCase() : sync.defaultRegion;
}

export function sha256(value: string): string {
  return hash("sha256", value, "hex");
}

/** A stable digest of a payload: key order does not matter. */
export function digestOf(
  value: Readonly<Record<string, FieldValue | Readonly<Record<string, FieldValue>>>>,
): string {
  return sha256(stableJson(value));
}

function stableJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(record[k])}`)
    .join(",")}}`;
}
