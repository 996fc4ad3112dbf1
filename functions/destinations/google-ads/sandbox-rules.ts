import { z } from "zod";

/**
 * The request rules of the Data Manager API's `audienceMembers:ingest` / `:remove`, as the local
 * sandbox enforces them (developers.google.com/data-manager/api/reference/rest/v1/audienceMembers,
 * the ErrorReason enum, SPEC-reliability §3): 1–10 destinations with an operating account and a
 * user list, 1–10,000 members, 1–10 identifiers per member, `encoding` set for user data, every
 * hashed value SHA-256 in that encoding, an address with all four parts, and (our policy from the
 * spec) the member's consent on every add. A request fails whole on the first violation (Google's
 * fast-fail model) and names the member in a field violation.
 */

export const MAX_DESTINATIONS = 10;
export const MAX_MEMBERS = 10_000;
export const MAX_IDENTIFIERS = 10;

/** proto3 JSON: enums arrive as names or (the client's `enum-encoding=int`) numbers. */
const enumOf = <T extends readonly string[]>(names: T) =>
  z
    .union([z.enum(names), z.number().int()])
    .transform((v) => (typeof v === "number" ? names[v] : v));

const CONSENT = ["CONSENT_STATUS_UNSPECIFIED", "CONSENT_GRANTED", "CONSENT_DENIED"] as const;
const Consent = z.object({
  adUserData: enumOf(CONSENT).optional(),
  adPersonalization: enumOf(CONSENT).optional(),
});
const Account = z.object({ accountId: z.string().optional(), accountType: z.unknown().optional() });
const Identifier = z.object({
  emailAddress: z.string().optional(),
  phoneNumber: z.string().optional(),
  address: z
    .object({
      givenName: z.string().optional(),
      familyName: z.string().optional(),
      regionCode: z.string().optional(),
      postalCode: z.string().optional(),
    })
    .optional(),
});
export const RequestSchema = z.object({
  destinations: z
    .array(
      z.object({
        operatingAccount: Account.optional(),
        loginAccount: Account.optional(),
        productDestinationId: z.string().optional(),
      }),
    )
    .default([]),
  audienceMembers: z
    .array(
      z.object({
        userData: z.object({ userIdentifiers: z.array(Identifier).default([]) }).optional(),
        consent: Consent.optional(),
      }),
    )
    .default([]),
  consent: Consent.optional(),
  validateOnly: z.boolean().optional(),
  encoding: enumOf(["ENCODING_UNSPECIFIED", "HEX", "BASE64"] as const).optional(),
});
export type DataManagerRequest = z.infer<typeof RequestSchema>;

export interface RuleViolation {
  readonly httpStatus: number;
  readonly status: "INVALID_ARGUMENT" | "PERMISSION_DENIED";
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
}

/** A held member: its identifiers as sent (hashed values, address parts). */
export type HeldMember = Readonly<Record<string, string>>;

export interface CheckedRequest {
  readonly destination: { readonly customerId: string; readonly userListId: string };
  readonly members: readonly HeldMember[];
  /** Per member: whether ad_user_data was granted (adds only). */
  readonly consented: readonly boolean[];
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

export function checkRequest(
  op: "add" | "remove",
  request: DataManagerRequest,
  known: { readonly customerIds: ReadonlySet<string>; readonly userLists: ReadonlySet<string> },
): CheckedRequest | RuleViolation {
  const bad = (reason: string, message: string, field?: string): RuleViolation => ({
    httpStatus: 400,
    status: "INVALID_ARGUMENT",
    reason,
    message,
    ...(field !== undefined ? { field } : {}),
  });
  const { destinations, audienceMembers: members } = request;
  if (destinations.length === 0) return bad("REQUIRED_FIELD_MISSING", "destinations is required");
  if (destinations.length > MAX_DESTINATIONS) {
    return bad("TOO_MANY_DESTINATIONS", "at most 10 destinations per request");
  }
  const destination = destinations[0];
  const customerId = destination?.operatingAccount?.accountId ?? "";
  const userListId = destination?.productDestinationId ?? "";
  if (!/^\d{10}$/.test(customerId)) {
    return bad("INVALID_DESTINATION", "operating_account.account_id must be 10 digits");
  }
  if (!known.customerIds.has(customerId)) {
    return {
      httpStatus: 403,
      status: "PERMISSION_DENIED",
      reason: "PERMISSION_DENIED",
      message: "The caller does not have permission or the resource is not found.",
    };
  }
  if (!known.userLists.has(`${customerId}/${userListId}`)) {
    return bad("INVALID_USER_LIST_ID", "product_destination_id is not a user list of the account");
  }
  if (members.length === 0) return bad("REQUIRED_FIELD_MISSING", "audience_members is required");
  if (members.length > MAX_MEMBERS) {
    return bad("TOO_MANY_AUDIENCE_MEMBERS", "at most 10,000 audience members per request");
  }
  const encoding = request.encoding;
  if (encoding !== "HEX" && encoding !== "BASE64") {
    return bad("REQUIRED_FIELD_MISSING", "encoding is required for user data");
  }
  const hashed = encoding === "HEX" ? HEX_SHA256 : BASE64_SHA256;
  const held: HeldMember[] = [];
  const consented: boolean[] = [];
  for (const [i, member] of members.entries()) {
    const at = `audience_members[${i}]`;
    const ids = member.userData?.userIdentifiers ?? [];
    if (ids.length === 0) return bad("NO_IDENTIFIERS_PROVIDED", "no user identifiers", at);
    if (ids.length > MAX_IDENTIFIERS) {
      return bad("TOO_MANY_USER_IDENTIFIERS", "at most 10 user identifiers per member", at);
    }
    const row: Record<string, string> = {};
    for (const id of ids) {
      const hashes: Array<[string, string | undefined]> = [
        ["email", id.emailAddress],
        ["phone", id.phoneNumber],
        ["given_name", id.address?.givenName],
        ["family_name", id.address?.familyName],
      ];
      for (const [name, value] of hashes) {
        if (value === undefined) continue;
        if (!hashed.test(value)) {
          return bad("INVALID_SHA256_FORMAT", `${name} is not a SHA-256 hash in ${encoding}`, at);
        }
        row[name] = value.toLowerCase();
      }
      if (id.address) {
        const { givenName, familyName, regionCode, postalCode } = id.address;
        if (!givenName || !familyName) return bad("REQUIRED_FIELD_MISSING", "address names", at);
        if (!regionCode || !/^[A-Z]{2}$/.test(regionCode)) {
          return bad("INVALID_REGION_CODE", "region_code must be ISO 3166-1 alpha-2", at);
        }
        if (!postalCode) return bad("INVALID_POSTAL_CODE", "postal_code is required", at);
        row.region_code = regionCode;
        row.postal_code = postalCode;
      }
    }
    const consent = member.consent ?? request.consent;
    if (op === "add" && (consent?.adUserData === undefined || consent.adUserData === CONSENT[0])) {
      return bad("REQUIRED_FIELD_MISSING", "consent.ad_user_data is required on an add", at);
    }
    held.push(row);
    consented.push(consent?.adUserData === "CONSENT_GRANTED");
  }
  return { destination: { customerId, userListId }, members: held, consented };
}

export function isViolation(value: CheckedRequest | RuleViolation): value is RuleViolation {
  return "reason" in value;
}
