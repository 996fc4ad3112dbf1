import { z } from "zod";
import { PermanentPullError } from "../../core/pull/errors.js";
import type { PageRequest, PulledPage, PulledRecord, PullStream } from "../../core/pull/source.js";
import { ZoomIdSchema } from "./contracts.js";
import { participantEventsStream, registrationEventsStream } from "./extract.js";
import { type ZoomPullSettings, zoomGet, zoomPathId, zoomPullSettings } from "./pull-api.js";
import { ZOOM_ACCOUNT_ID, type ZoomTokens } from "./pull-auth.js";
import { pollAnswersContract, questionsContract } from "./pull-contracts.js";
import { type ItemKind, itemRecords } from "./pull-records.js";

/**
 * The Zoom webinar pull. Each stream walks the same plan, kept whole in the page cursor so a
 * resumed pull walks exactly what the crashed one planned: (1) the hosts' webinars
 * (`GET /users/{userId}/webinars`, next_page_token), (2) for participants, polls and Q&A the
 * past occurrences of each (`GET /past_webinars/{webinarId}/instances`) that started in the
 * window (minus `lookbackDays`), (3) the items, one Zoom page per pulled page: registrants of
 * every status (`GET /webinars/{webinarId}/registrants?status=`), the participants report
 * (`GET /report/webinars/{uuid}/participants`), the polls and Q&A reports.
 *
 * Registrants and participants land in the webhook streams (`registration_events`,
 * `participant_events`) shaped as the webhook events they stand for, so the contract, the record
 * ids and staging are the webhooks': a stay the webhook already delivered lands once.
 */
const WebinarRefSchema = z.strictObject({
  id: z.string(),
  uuid: z.string(),
  topic: z.string().optional(),
  host_id: z.string().optional(),
  start_time: z.string().optional(),
});

const TargetSchema = WebinarRefSchema.extend({ status: z.string().optional() });
type Target = z.infer<typeof TargetSchema>;

const CursorSchema = z.discriminatedUnion("phase", [
  z.strictObject({
    phase: z.literal("webinars"),
    host: z.number().int().min(0),
    token: z.string().optional(),
    webinars: z.array(WebinarRefSchema),
  }),
  z.strictObject({
    phase: z.literal("instances"),
    webinars: z.array(WebinarRefSchema),
    index: z.number().int().min(0),
    targets: z.array(TargetSchema),
  }),
  z.strictObject({
    phase: z.literal("items"),
    targets: z.array(TargetSchema),
    index: z.number().int().min(0),
    token: z.string().optional(),
    restarted: z.boolean().optional(),
  }),
]);
type Cursor = z.infer<typeof CursorSchema>;

/** Zoom's `status` filter of the registrants list: each is its own list (default: approved). */
export const REGISTRANT_STATUSES = ["pending", "approved", "denied"] as const;

const ListSchema = z.looseObject({
  next_page_token: z.string().optional(),
  webinars: z
    .array(
      z.looseObject({
        id: ZoomIdSchema,
        uuid: z.string().min(1),
        topic: z.string().optional(),
        host_id: z.string().optional(),
        start_time: z.string().optional(),
      }),
    )
    .default([]),
});

const InstancesSchema = z.looseObject({
  webinars: z.array(z.looseObject({ uuid: z.string().min(1), start_time: z.string() })).default([]),
});

const DAY_MS = 86_400_000;
const empty = (cursor: Cursor): PulledPage => ({ records: [], next: JSON.stringify(cursor) });

function parsed<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new PermanentPullError(`Zoom's ${what} answer is not as documented`);
  return result.data;
}

async function webinarsPage(
  request: PageRequest,
  settings: ZoomPullSettings,
  tokens: ZoomTokens,
  kind: ItemKind,
  cursor: Extract<Cursor, { phase: "webinars" }>,
): Promise<PulledPage> {
  const host = settings.hosts[cursor.host] ?? "me";
  const answer = await zoomGet(request, settings, tokens, `/users/${zoomPathId(host)}/webinars`, {
    page_size: String(settings.pageSize),
    next_page_token: cursor.token,
  });
  const list = parsed(ListSchema, answer.value, "webinars list");
  const seen = new Set(cursor.webinars.map((w) => w.id));
  const webinars = [...cursor.webinars];
  for (const w of list.webinars) {
    const id = String(w.id);
    if (seen.has(id)) continue;
    seen.add(id);
    webinars.push({
      id,
      uuid: w.uuid,
      ...(w.topic !== undefined ? { topic: w.topic } : {}),
      ...(w.host_id !== undefined ? { host_id: w.host_id } : {}),
      ...(w.start_time !== undefined ? { start_time: w.start_time } : {}),
    });
  }
  if (list.next_page_token) return empty({ ...cursor, token: list.next_page_token, webinars });
  if (cursor.host + 1 < settings.hosts.length) {
    return empty({ phase: "webinars", host: cursor.host + 1, webinars });
  }
  if (kind === "registrants") {
    const targets = webinars.flatMap((w) =>
      REGISTRANT_STATUSES.map((status) => ({ ...w, status })),
    );
    return next({ phase: "items", targets, index: 0 });
  }
  return next({ phase: "instances", webinars, index: 0, targets: [] });
}

/** The next cursor, or the end of the window when nothing is left to read. */
function next(cursor: Cursor): PulledPage {
  if (cursor.phase === "instances" && cursor.webinars.length === 0) return done();
  if (cursor.phase === "items" && cursor.index >= cursor.targets.length) return done();
  return empty(cursor);
}
const done = (): PulledPage => ({ records: [], next: undefined });

async function instancesPage(
  request: PageRequest,
  settings: ZoomPullSettings,
  tokens: ZoomTokens,
  cursor: Extract<Cursor, { phase: "instances" }>,
): Promise<PulledPage> {
  const webinar = cursor.webinars[cursor.index];
  if (!webinar) return next({ phase: "items", targets: cursor.targets, index: 0 });
  const answer = await zoomGet(
    request,
    settings,
    tokens,
    `/past_webinars/${zoomPathId(webinar.id)}/instances`,
  );
  const from = Date.parse(request.window.from) - settings.lookbackDays * DAY_MS;
  const to = Date.parse(request.window.to);
  const targets = [...cursor.targets];
  for (const instance of parsed(InstancesSchema, answer.value, "past instances").webinars) {
    const started = Date.parse(instance.start_time);
    if (!(started >= from && started < to)) continue;
    targets.push({ ...webinar, uuid: instance.uuid, start_time: instance.start_time });
  }
  const index = cursor.index + 1;
  if (index < cursor.webinars.length) return empty({ ...cursor, index, targets });
  return next({ phase: "items", targets, index: 0 });
}

const ITEM_PATHS: Readonly<Record<ItemKind, (t: Target) => string>> = {
  registrants: (t) => `/webinars/${zoomPathId(t.id)}/registrants`,
  participants: (t) => `/report/webinars/${zoomPathId(t.uuid)}/participants`,
  polls: (t) => `/report/webinars/${zoomPathId(t.uuid)}/polls`,
  questions: (t) => `/report/webinars/${zoomPathId(t.uuid)}/qa`,
};
/** The lists Zoom pages with next_page_token; the polls and Q&A reports come whole. */
const PAGED: ReadonlySet<ItemKind> = new Set(["registrants", "participants"]);

async function itemsPage(
  request: PageRequest,
  settings: ZoomPullSettings,
  tokens: ZoomTokens,
  kind: ItemKind,
  cursor: Extract<Cursor, { phase: "items" }>,
): Promise<PulledPage> {
  const target = cursor.targets[cursor.index];
  if (!target) return done();
  let answer: Awaited<ReturnType<typeof zoomGet>>;
  try {
    answer = await zoomGet(request, settings, tokens, ITEM_PATHS[kind](target), {
      ...(PAGED.has(kind)
        ? { page_size: String(settings.pageSize), next_page_token: cursor.token }
        : {}),
      ...(kind === "registrants" ? { status: target.status } : {}),
    });
  } catch (error) {
    // A next_page_token lives 15 minutes: a pull resumed later reads the list again from its
    // first page (its records land once, by record id). Only once: a second 400 is a real one.
    if (error instanceof PermanentPullError && error.status === 400 && cursor.token) {
      if (!cursor.restarted) return empty({ ...cursor, token: undefined, restarted: true });
    }
    throw error;
  }
  const accountId = request.connection.secrets.get(ZOOM_ACCOUNT_ID) ?? "";
  const records: PulledRecord[] = itemRecords(kind, answer.value, target, accountId);
  const token = (answer.value as { next_page_token?: unknown } | null)?.next_page_token;
  if (PAGED.has(kind) && typeof token === "string" && token !== "") {
    return { records, next: JSON.stringify({ ...cursor, token, restarted: undefined }) };
  }
  const after = next({ phase: "items", targets: cursor.targets, index: cursor.index + 1 });
  return { records, next: after.next };
}

/** One pulled Zoom stream; `tokens` is the process's Server-to-Server token cache. */
export function zoomStream(kind: ItemKind, tokens: ZoomTokens): PullStream {
  const contract = {
    registrants: registrationEventsStream,
    participants: participantEventsStream,
    polls: pollAnswersContract,
    questions: questionsContract,
  }[kind];
  return {
    contract,
    // Reports fill in after a webinar ends; lookbackDays re-reads recent occurrences anyway.
    settleMs: 5 * 60_000,
    defaultSince: "1970-01-01T00:00:00.000Z",
    async fetchPage(request): Promise<PulledPage> {
      const settings = zoomPullSettings(request);
      const cursor: Cursor = request.cursor
        ? CursorSchema.parse(JSON.parse(request.cursor))
        : { phase: "webinars", host: 0, webinars: [] };
      if (cursor.phase === "webinars") return webinarsPage(request, settings, tokens, kind, cursor);
      if (cursor.phase === "instances") return instancesPage(request, settings, tokens, cursor);
      return itemsPage(request, settings, tokens, kind, cursor);
    },
  };
}
