import { z } from "zod";

/**
 * A sync: which segment goes to which destination, in which mode, matched on which identifiers,
 * and which consent purposes a contact must have granted before anything is sent for them.
 * Consent is never assumed: each destination type has purposes it cannot do without
 * (`PLATFORM_PURPOSES`), and a sync that does not require them is refused at parse time.
 */

export const CONSENT_PURPOSES = ["email_marketing", "ad_user_data", "ad_personalization"] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

export const DESTINATIONS = ["meta", "google_ads", "sendgrid", "hubspot"] as const;
export type DestinationType = (typeof DESTINATIONS)[number];

/**
 * What each platform needs before an add (docs/destinations.md, "Consent"): ad platforms use the
 * person's data for ads (Google consent mode's ad_user_data), the email tool sends marketing
 * email. The CRM records a person for sales follow-up, not for marketing: no purpose is needed
 * (a sync may still require one). Removals never need consent.
 */
export const PLATFORM_PURPOSES: Readonly<Record<DestinationType, readonly ConsentPurpose[]>> = {
  meta: ["ad_user_data"],
  google_ads: ["ad_user_data"],
  sendgrid: ["email_marketing"],
  hubspot: [],
};

/** Dataset, table and column names go into SQL as identifiers: keep them plain. */
const SqlIdentifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,299}$/, "use letters, digits and underscores only");

/** Identifiers a segment row can be matched on; each is read from a column (`columns`). */
export const IDENTIFIER_KINDS = [
  "email",
  "phone",
  "first_name",
  "last_name",
  "country",
  "zip",
] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

export const DEFAULT_COLUMNS: Readonly<Record<IdentifierKind, string>> = {
  email: "email",
  phone: "phone",
  first_name: "first_name",
  last_name: "last_name",
  country: "country_code",
  zip: "zip",
};

const Region = z
  .string()
  .regex(/^[A-Za-z]{2}$/, "an ISO 3166-1 alpha-2 region, e.g. GB")
  .transform((r) => r.toUpperCase());

const Common = {
  /** Stable id; part of object keys and of every ops row (`meta_recent_purchasers`). */
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "use lower-case letters, digits, _ and -"),
  segment: z.object({ dataset: SqlIdentifier, table: SqlIdentifier }),
  requiredConsent: z
    .array(z.enum(CONSENT_PURPOSES))
    .default([])
    .transform((purposes) => [...new Set(purposes)]),
  /** Column per identifier when it is not the default name (`country` → `country_code`). */
  columns: z.partialRecord(z.enum(IDENTIFIER_KINDS), SqlIdentifier).default({}),
  /**
   * Region of phone numbers written without a country code, when the row has no country:
   * `020 7183 8750` with GB is +442071838750. Without one such numbers are not sent.
   */
  defaultRegion: Region.optional(),
  /**
   * Realtime rule for a Shopify order (docs/destinations.md, "Real-time path"): `remove` takes
   * the purchaser out of this audience within seconds (retargeting), `upsert` writes the
   * purchaser to the CRM. The planner then keeps a removed purchaser out for `suppressionDays`.
   */
  realtime: z.object({ onPurchase: z.enum(["remove", "upsert"]) }).optional(),
  suppressionDays: z.number().int().min(1).max(90).default(7),
};

const MetaSync = z.object({
  ...Common,
  destination: z.literal("meta"),
  mode: z.literal("membership").default("membership"),
  /** Meta Custom Audience id (numeric). */
  audienceId: z.string().regex(/^\d+$/, "a Meta audience id is numeric"),
  /** Match keys; the first of email/phone a row has is its member key. */
  identifiers: z
    .array(z.enum(IDENTIFIER_KINDS))
    .min(1)
    .default(["email"])
    .transform((ids) => [...new Set(ids)]),
  /** Rows per batch (one request); Meta takes at most 10,000. */
  batchSize: z.number().int().min(1).max(10_000).default(10_000),
});

const GOOGLE_IDENTIFIERS = ["email", "phone", "address"] as const;
const GoogleAdsSync = z.object({
  ...Common,
  destination: z.literal("google_ads"),
  mode: z.literal("membership").default("membership"),
  /** Google Ads customer id (operating account), 10 digits without dashes. */
  customerId: z.string().regex(/^\d{10}$/, "a Google Ads customer id is 10 digits, no dashes"),
  /** Manager account the credentials log in through, when not the customer itself. */
  loginCustomerId: z
    .string()
    .regex(/^\d{10}$/)
    .optional(),
  /** Customer Match user list id (`product_destination_id`). */
  audienceId: z.string().regex(/^\d+$/, "a Customer Match user list id is numeric"),
  identifiers: z
    .array(z.enum(GOOGLE_IDENTIFIERS))
    .min(1)
    .default(["email"])
    .transform((ids) => [...new Set(ids)]),
  /**
   * Data Manager's formatting guide removes dots and `+suffix` from gmail.com addresses; the
   * Customer Match guide does not. Off by default (docs/destinations.md says why).
   */
  gmailCanonicalization: z.boolean().default(false),
  /** Members per request; Google recommends at most 10,000. */
  batchSize: z.number().int().min(1).max(10_000).default(10_000),
});

/** SendGrid reserved contact fields we write (besides email). */
export const SENDGRID_RESERVED_FIELDS = [
  "first_name",
  "last_name",
  "phone_number",
  "city",
  "country",
  "postal_code",
] as const;

const SendgridSync = z.object({
  ...Common,
  destination: z.literal("sendgrid"),
  mode: z.literal("upsert").default("upsert"),
  /** Marketing list the members are kept in (contacts leave it when they leave the segment). */
  listId: z.string().regex(/^[0-9a-f-]{8,64}$/i, "a SendGrid list id (UUID)"),
  /**
   * Unsubscribe group the list's emails are sent under: contacts suppressed in it (or globally
   * unsubscribed) are not added; they are recorded as rejected (`suppressed`).
   */
  suppressionGroupId: z.number().int().positive().optional(),
  identifiers: z.array(z.literal("email")).default(["email"]),
  /** Reserved field → segment column. */
  fields: z.partialRecord(z.enum(SENDGRID_RESERVED_FIELDS), SqlIdentifier).default({}),
  /** Custom field id (e.g. `e1_T`) → segment column. */
  customFields: z.record(z.string().regex(/^[A-Za-z0-9_]{1,100}$/), SqlIdentifier).default({}),
  /** Contacts per request: SendGrid takes ≤ 30,000 or 6 MB. */
  batchSize: z.number().int().min(1).max(30_000).default(10_000),
});

const HubspotProperty = z.string().regex(/^[a-z][a-z0-9_]{0,99}$/, "a HubSpot property name");

const HubspotContactsSync = z.object({
  ...Common,
  destination: z.literal("hubspot"),
  mode: z.literal("upsert"),
  /** Contacts are upserted by this unique property (batch upsert `idProperty`). */
  idProperty: z.literal("email").default("email"),
  identifiers: z.array(z.literal("email")).default(["email"]),
  /** HubSpot contact property → segment column. */
  properties: z.record(HubspotProperty, SqlIdentifier).default({}),
  /** HubSpot's batch APIs take 100 inputs per call; a batch is several calls. */
  batchSize: z.number().int().min(1).max(10_000).default(1_000),
});

const HubspotTasksSync = z.object({
  ...Common,
  destination: z.literal("hubspot"),
  mode: z.literal("tasks"),
  identifiers: z.array(z.literal("email")).default(["email"]),
  task: z.object({
    /** Columns that identify one task (`contact_id`, `webinar_uuid`): created once per key. */
    keyColumns: z.array(SqlIdentifier).min(1),
    /** Subject; `{column}` placeholders are filled from the row. */
    subject: z.string().min(1).max(200),
    ownerColumn: SqlIdentifier.default("owner_id"),
    dueColumn: SqlIdentifier.default("due_at"),
    bodyColumns: z.array(SqlIdentifier).default([]),
    priority: z.enum(["LOW", "MEDIUM", "HIGH"]).default("HIGH"),
    /**
     * Custom task property (single-line text) holding the task's durable key: what a retry
     * searches to find a task it may have created already (docs/decisions.md).
     */
    keyProperty: HubspotProperty.default("unistack_task_key"),
  }),
  batchSize: z.number().int().min(1).max(10_000).default(1_000),
});

export const SyncConfigSchema = z
  .discriminatedUnion("destination", [
    MetaSync,
    GoogleAdsSync,
    SendgridSync,
    z.discriminatedUnion("mode", [HubspotContactsSync, HubspotTasksSync]),
  ])
  .superRefine((sync, ctx) => {
    for (const purpose of PLATFORM_PURPOSES[sync.destination]) {
      if (!sync.requiredConsent.includes(purpose)) {
        ctx.addIssue({
          code: "custom",
          path: ["requiredConsent"],
          message:
            sync.requiredConsent.length === 0
              ? `name at least one consent purpose, e.g. ${purpose} (${sync.destination} needs ${purpose} consent before an add)`
              : `${sync.destination} needs ${purpose} consent before an add: add it`,
        });
      }
    }
    if (sync.destination === "meta" || sync.destination === "google_ads") {
      const ids: readonly string[] = sync.identifiers;
      if (!ids.includes("email") && !ids.includes("phone")) {
        ctx.addIssue({
          code: "custom",
          path: ["identifiers"],
          message: "an audience is matched on email or phone: name at least one of them",
        });
      }
    }
  });
export type SyncConfigInput = z.input<typeof SyncConfigSchema>;
export type SyncConfig = z.output<typeof SyncConfigSchema>;
export type SyncOf<D extends DestinationType> = Extract<SyncConfig, { destination: D }>;

/** The destination object a sync writes to, for ops rows and messages: audience, list, portal. */
export function syncTarget(sync: SyncConfig): string {
  switch (sync.destination) {
    case "meta":
      return sync.audienceId;
    case "google_ads":
      return `${sync.customerId}/${sync.audienceId}`;
    case "sendgrid":
      return sync.listId;
    case "hubspot":
      return sync.mode === "tasks" ? "tasks" : "contacts";
  }
}

/** Whether a member who leaves the segment is removed (audiences, lists) or kept (CRM records). */
export function removesOnLeave(sync: SyncConfig): boolean {
  return sync.destination !== "hubspot";
}

export function parseSyncConfig(input: unknown): SyncConfig {
  const parsed = SyncConfigSchema.safeParse(input);
  if (!parsed.success) throw new Error(`invalid sync configuration: ${describeIssues(parsed)}`);
  return parsed.data;
}

/** Every sync of a deployment, ids unique. */
export const SyncsConfigSchema = z
  .object({ syncs: z.array(SyncConfigSchema).min(1, "configure at least one sync") })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.syncs.forEach((sync, i) => {
      if (seen.has(sync.id)) {
        ctx.addIssue({ code: "custom", path: ["syncs", i, "id"], message: "duplicate sync id" });
      }
      seen.add(sync.id);
    });
  });
export type SyncsConfig = z.output<typeof SyncsConfigSchema>;

export function parseSyncsConfig(input: unknown, where = "sync configuration"): SyncsConfig {
  const parsed = SyncsConfigSchema.safeParse(input);
  if (!parsed.success) throw new Error(`invalid ${where}: ${describeIssues(parsed)}`);
  return parsed.data;
}

function describeIssues(parsed: { error: z.ZodError }): string {
  return parsed.error.issues
    .slice(0, 8)
    .map((i) => `${i.path.join(".") || "sync"}: ${i.message}`)
    .join("; ");
}

/** A sync's input for one destination (tests and wiring build these by hand). */
export type SyncInputOf<D extends DestinationType> = Extract<SyncConfigInput, { destination: D }>;
