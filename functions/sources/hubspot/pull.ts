import { z } from "zod";
import { PermanentPullError } from "../../core/pull/errors.js";
import type { PageRequest, PulledPage, PullStream } from "../../core/pull/source.js";
import { defineStream } from "../stream-contract.js";
import {
  HubspotCompanySchema,
  HubspotContactSchema,
  type HubspotCrmObject,
  HubspotDealSchema,
  HubspotOwnerSchema,
} from "./contracts.js";
import {
  AssociationsAnswerSchema,
  hubspotCall,
  parseAnswer,
  SearchAnswerSchema,
} from "./pull-api.js";

/** HubSpot search: at most 200 results a page and 10,000 for one query (a 400 beyond). */
export const SEARCH_PAGE = 200;
export const SEARCH_WINDOW = 10_000;

/**
 * The cursor of a search pull: the anchor of the filter (`modified >= anchor`), HubSpot's `after`
 * within that query, and the ids already landed at the anchor's instant. When the next `after`
 * would pass the 10,000-result window, the filter is re-anchored at the last record's
 * modification time and `after` starts again from zero; the records of that same instant already
 * landed are skipped, so nothing is landed twice and nothing is left out.
 */
const SearchCursorSchema = z.object({
  anchor: z.string(),
  after: z.string().optional(),
  skip: z.array(z.string()).default([]),
});
type SearchCursor = z.infer<typeof SearchCursorSchema>;

export interface CrmStreamSpec {
  /** `contacts`, `companies`, `deals` (the CRM object type in the API path). */
  readonly objectType: string;
  /** The modification property the high-water mark reads. */
  readonly modifiedProperty: string;
  readonly properties: readonly string[];
  readonly schema: z.ZodType<HubspotCrmObject>;
  /** Object types whose associated ids are embedded as `associations.<type>`. */
  readonly associations: readonly string[];
  /** Properties whose history is embedded as `propertiesWithHistory` (batch read). */
  readonly history?: readonly string[];
}

const utc = (value: string) => new Date(value).toISOString();

function modifiedOf(spec: CrmStreamSpec, record: { properties: Record<string, unknown> }): string {
  const value = record.properties[spec.modifiedProperty];
  return typeof value === "string" && !Number.isNaN(Date.parse(value)) ? utc(value) : "";
}

async function searchPage(
  spec: CrmStreamSpec,
  request: PageRequest,
  searchWindow: number,
): Promise<PulledPage> {
  const cursor: SearchCursor = request.cursor
    ? SearchCursorSchema.parse(JSON.parse(request.cursor))
    : { anchor: request.window.from, skip: [] };
  const body = {
    filterGroups: [
      {
        filters: [
          {
            propertyName: spec.modifiedProperty,
            operator: "GTE",
            value: String(Date.parse(cursor.anchor)),
          },
          {
            propertyName: spec.modifiedProperty,
            operator: "LT",
            value: String(Date.parse(request.window.to)),
          },
        ],
      },
    ],
    sorts: [{ propertyName: spec.modifiedProperty, direction: "ASCENDING" }],
    properties: spec.properties,
    limit: SEARCH_PAGE,
    ...(cursor.after !== undefined ? { after: cursor.after } : {}),
  };
  const answer = parseAnswer(
    SearchAnswerSchema,
    await hubspotCall(request, `/crm/v3/objects/${spec.objectType}/search`, {
      method: "POST",
      body,
    }),
    "search",
  );
  const skip = new Set(cursor.skip);
  const fresh = answer.results.filter(
    (r) => !(skip.has(r.id) && modifiedOf(spec, r) === utc(cursor.anchor)),
  );
  const records = await enrich(spec, request, fresh);
  const last = answer.results.at(-1);
  const nextAfter = answer.paging?.next?.after;
  let next: SearchCursor | undefined;
  if (nextAfter !== undefined && last) {
    if (Number(nextAfter) + SEARCH_PAGE <= searchWindow) {
      next = { ...cursor, after: nextAfter };
    } else {
      const anchor = modifiedOf(spec, last);
      if (!anchor || anchor === utc(cursor.anchor)) {
        throw Object.assign(
          new PermanentPullError("more than 10,000 records share one modification instant"),
          {
            safeReason:
              "more than 10,000 records share one modification instant; HubSpot search cannot page them",
          },
        );
      }
      const sameInstant = answer.results
        .filter((r) => modifiedOf(spec, r) === anchor)
        .map((r) => r.id);
      next = { anchor, skip: sameInstant };
    }
  }
  return { records, next: next ? JSON.stringify(next) : undefined };
}

/** Adds associated ids (v4 batch read) and property history (v3 batch read) to each record. */
async function enrich(
  spec: CrmStreamSpec,
  request: PageRequest,
  results: readonly { id: string; properties: Record<string, unknown> }[],
): Promise<PulledPage["records"]> {
  if (results.length === 0) return [];
  const inputs = results.map((r) => ({ id: r.id }));
  const merged = new Map<string, Record<string, unknown>>(results.map((r) => [r.id, { ...r }]));
  for (const toType of spec.associations) {
    const answer = parseAnswer(
      AssociationsAnswerSchema,
      await hubspotCall(request, `/crm/v4/associations/${spec.objectType}/${toType}/batch/read`, {
        method: "POST",
        body: { inputs },
      }),
      "associations",
    );
    for (const record of merged.values()) {
      const found = answer.results.find((a) => a.from.id === record.id);
      const ids = (found?.to ?? []).map((t) => String(t.toObjectId));
      record.associations = { ...(record.associations as object | undefined), [toType]: ids };
    }
  }
  if (spec.history && spec.history.length > 0) {
    const answer = parseAnswer(
      z.looseObject({
        results: z.array(z.looseObject({ id: z.string(), propertiesWithHistory: z.unknown() })),
      }),
      await hubspotCall(request, `/crm/v3/objects/${spec.objectType}/batch/read`, {
        method: "POST",
        body: { inputs, properties: [spec.modifiedProperty], propertiesWithHistory: spec.history },
      }),
      "batch read",
    );
    for (const item of answer.results) {
      const record = merged.get(item.id);
      if (record) record.propertiesWithHistory = item.propertiesWithHistory;
    }
  }
  return [...merged.values()].map((value) => ({ value, json: JSON.stringify(value) }));
}

/** Record id of a CRM object version: `<id>:<last modified, UTC>`. */
export function crmRecordId(spec: CrmStreamSpec, record: HubspotCrmObject): string {
  return `${record.id}:${modifiedOf(spec, record as { properties: Record<string, unknown> }) || utc(record.updatedAt)}`;
}

/** `searchWindow`: HubSpot's 10,000; smaller only to exercise re-anchoring in tests. */
export function crmStream(
  spec: CrmStreamSpec,
  options: { readonly searchWindow?: number } = {},
): PullStream {
  return {
    // HubSpot's search index shows a change within seconds; a minute covers its lag.
    settleMs: 60_000,
    defaultSince: "2000-01-01T00:00:00.000Z",
    contract: defineStream({
      schema: spec.schema,
      recordId: (record) => crmRecordId(spec, record),
      eventTime: (record) => new Date(record.updatedAt),
      recordIdHint: (value) => {
        const id = (value as { id?: unknown } | null)?.id;
        return typeof id === "string" ? `${id}:unknown` : undefined;
      },
    }),
    fetchPage: (request) => searchPage(spec, request, options.searchWindow ?? SEARCH_WINDOW),
  };
}

export const HUBSPOT_CRM_STREAMS = {
  contacts: {
    objectType: "contacts",
    modifiedProperty: "lastmodifieddate",
    properties: [
      "email",
      "firstname",
      "lastname",
      "phone",
      "company",
      "lifecyclestage",
      "hubspot_owner_id",
      "hs_email_optout",
      "createdate",
      "lastmodifieddate",
      "country",
    ],
    schema: HubspotContactSchema,
    associations: ["companies"],
  },
  companies: {
    objectType: "companies",
    modifiedProperty: "hs_lastmodifieddate",
    properties: [
      "name",
      "domain",
      "country",
      "industry",
      "hubspot_owner_id",
      "createdate",
      "hs_lastmodifieddate",
    ],
    schema: HubspotCompanySchema,
    associations: [],
  },
  deals: {
    objectType: "deals",
    modifiedProperty: "hs_lastmodifieddate",
    properties: [
      "dealname",
      "amount",
      "deal_currency_code",
      "dealstage",
      "pipeline",
      "closedate",
      "hubspot_owner_id",
      "createdate",
      "hs_lastmodifieddate",
    ],
    schema: HubspotDealSchema as unknown as z.ZodType<HubspotCrmObject>,
    associations: ["contacts", "companies"],
    history: ["dealstage"],
  },
} satisfies Readonly<Record<string, CrmStreamSpec>>;

const OwnersAnswerSchema = z.looseObject({
  results: z.array(z.unknown()),
  paging: z.looseObject({ next: z.looseObject({ after: z.string() }).optional() }).optional(),
});

/**
 * Owners have no search or modification filter: the owners API is paged through whole on each
 * run and only owners updated inside the window land, so each version lands once.
 */
export const ownersStream: PullStream = {
  settleMs: 60_000,
  defaultSince: "2000-01-01T00:00:00.000Z",
  contract: defineStream({
    schema: HubspotOwnerSchema,
    recordId: (owner) => `${owner.id}:${utc(owner.updatedAt)}`,
    eventTime: (owner) => new Date(owner.updatedAt),
    recordIdHint: () => undefined,
  }),
  async fetchPage(request) {
    const query = new URLSearchParams({ limit: "100", archived: "false" });
    if (request.cursor) query.set("after", request.cursor);
    const answer = parseAnswer(
      OwnersAnswerSchema,
      await hubspotCall(request, `/crm/v3/owners?${query}`),
      "owners",
    );
    const from = Date.parse(request.window.from);
    const to = Date.parse(request.window.to);
    const records = answer.results
      .filter((owner) => {
        const updated = Date.parse(String((owner as { updatedAt?: unknown }).updatedAt));
        // An owner whose time cannot be read goes on, to be quarantined with its reason.
        return Number.isNaN(updated) || (updated >= from && updated < to);
      })
      .map((value) => ({ value, json: JSON.stringify(value) }));
    return { records, next: answer.paging?.next?.after };
  },
};
