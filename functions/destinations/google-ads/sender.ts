import type { BatchRow } from "../../core/activation/batches.js";
import type { SyncOf } from "../../core/activation/sync-config.js";
import type { DestinationSender } from "../sender.js";
import type { GoogleAdsClient, GoogleAudienceMember, UserIdentifier } from "./client.js";

/**
 * Google Ads Customer Match as a destination (Data Manager API): a batch's rows become audience
 * members with their hashed email, hashed phone and address (as identified by
 * google-ads/members.ts); adds carry the member's own consent. Google answers a request as a
 * whole, so every row of a request it took is accepted; rows it named as malformed are rejected
 * with its reason (and stay in the next run's diff). The target is looked up in the configured
 * syncs by sync id: the message is never trusted for the account.
 */
export function googleAdsSender(
  client: GoogleAdsClient,
  syncs: readonly SyncOf<"google_ads">[],
): DestinationSender {
  const byId = new Map(syncs.map((s) => [s.id, s]));
  return {
    destination: "google_ads",
    async send(batch) {
      const sync = byId.get(batch.syncId);
      if (!sync) throw new Error(`sync ${batch.syncId} is not a configured Google Ads sync`);
      const members = batch.rows.map((row) => memberOf(row, batch.op));
      const result = await client.send(
        batch.op,
        {
          customerId: sync.customerId,
          userListId: sync.audienceId,
          ...(sync.loginCustomerId ? { loginCustomerId: sync.loginCustomerId } : {}),
        },
        members,
      );
      const refused = new Map(result.rejected.map((r) => [r.index, r.reason]));
      const accepted = batch.rows.filter((_, i) => !refused.has(i)).map((row) => ({ row }));
      const rejections = [...refused].flatMap(([i, reason]) =>
        (batch.rows[i]?.contactIds ?? []).map((contactId) => ({ contactId, reason })),
      );
      return {
        status: refused.size > 0 ? "partial" : "succeeded",
        accepted,
        rejections,
        received: result.requests.reduce((n, r) => n + r.sent.length, 0),
        invalid: refused.size,
        attempts: result.requests.reduce((n, r) => n + r.attempts, 0),
      };
    },
  };
}

/** A batch row as a Data Manager audience member (rows of a remove carry the keys last sent). */
export function memberOf(row: BatchRow, op: "add" | "remove"): GoogleAudienceMember {
  const keys = row.keys ?? { email: row.hash };
  const ids: UserIdentifier[] = [];
  if (keys.email) ids.push({ emailAddress: keys.email });
  if (keys.phone) ids.push({ phoneNumber: keys.phone });
  if (keys.given_name && keys.family_name && keys.region_code && keys.postal_code) {
    ids.push({
      address: {
        givenName: keys.given_name,
        familyName: keys.family_name,
        regionCode: keys.region_code,
        postalCode: keys.postal_code,
      },
    });
  }
  if (op === "remove") return { userIdentifiers: ids };
  return {
    userIdentifiers: ids,
    consent: {
      adUserData: row.fields?.ad_user_data === "GRANTED",
      adPersonalization: row.fields?.ad_personalization === "GRANTED",
    },
  };
}
