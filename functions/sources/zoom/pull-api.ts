import { z } from "zod";
import { PermanentPullError } from "../../core/pull/errors.js";
import type { PageRequest } from "../../core/pull/source.js";
import { callJson, type JsonAnswer } from "../pull-http.js";
import type { ZoomTokens } from "./pull-auth.js";

/** A Zoom connection's settings (UNISTACK_CONNECTIONS `settings`). */
export const ZoomPullSettingsSchema = z.looseObject({
  /** `https://api.zoom.us/v2` in production; the local sandbox's URL + `/v2` in the demo. */
  apiUrl: z.url().default("https://api.zoom.us/v2"),
  /** Where the Server-to-Server OAuth token is asked for. */
  oauthUrl: z.url().default("https://zoom.us"),
  /** Webinar hosts whose webinars are pulled (user ids or emails; `me` = the app's owner). */
  hosts: z.array(z.string().min(1).max(128)).min(1).default(["me"]),
  /** Webinars pulled in addition to the hosts' (numeric webinar ids). */
  webinarIds: z.array(z.string().regex(/^\d{1,20}$/)).default([]),
  /**
   * Occurrences that started this many days before the window's start are read again: Zoom's
   * reports fill in after a webinar ends, and a late participant, poll or question is then
   * still pulled (record ids make the re-read land once).
   */
  lookbackDays: z.coerce.number().int().min(0).max(90).default(7),
  /** Records per page (Zoom's maximum is 300). */
  pageSize: z.coerce.number().int().min(1).max(300).default(300),
});
export type ZoomPullSettings = z.infer<typeof ZoomPullSettingsSchema>;

export function zoomPullSettings(request: PageRequest): ZoomPullSettings {
  const parsed = ZoomPullSettingsSchema.safeParse(request.connection.settings);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const reason = `settings of zoom connection ${request.connection.id}: ${first?.path.join(".")} ${first?.message}`;
    throw Object.assign(new PermanentPullError(reason), { safeReason: reason });
  }
  return parsed.data;
}

/**
 * A webinar or occurrence id in a URL path. Zoom asks for a UUID that begins with `/` or contains
 * `//` to be encoded twice (its API reference, on every endpoint taking a webinar UUID); any other
 * id is encoded once (a UUID's `+` and `=` still need it).
 */
export function zoomPathId(id: string): string {
  const once = encodeURIComponent(id);
  return id.startsWith("/") || id.includes("//") ? encodeURIComponent(once) : once;
}

/** Zoom's error body `{code, message}`: the numeric code is safe to log, the message may not be. */
function categoryOf(body: unknown): string | undefined {
  const code = (body as { code?: unknown } | null)?.code;
  return typeof code === "number" && Number.isInteger(code) ? `code ${code}` : undefined;
}

/**
 * Zoom's per-second limits (Light/Medium/Heavy) reset within a second; a 429 without
 * Retry-After is waited one second. The daily limits (Heavy and Resource-intensive on Pro and
 * Business) answer with a Retry-After naming when the day's quota is back.
 */
const DEFAULT_RETRY_AFTER_MS = 1_000;

/**
 * One GET of the Zoom API with the connection's Server-to-Server token: a 401 asks for a new
 * token once and repeats the call (a token revoked early), a second 401 stops the pull.
 */
export async function zoomGet(
  request: PageRequest,
  settings: ZoomPullSettings,
  tokens: ZoomTokens,
  path: string,
  query: Record<string, string | undefined> = {},
): Promise<JsonAnswer> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined) params.set(name, value);
  const search = params.size > 0 ? `?${params.toString()}` : "";
  const url = `${settings.apiUrl.replace(/\/+$/, "")}${path}${search}`;
  const call = async (fresh: boolean) =>
    callJson({
      fetch: request.fetch,
      url,
      init: {
        headers: { authorization: `Bearer ${await tokens.get(request, settings.oauthUrl, fresh)}` },
      },
      defaultRetryAfterMs: DEFAULT_RETRY_AFTER_MS,
      categoryOf,
    });
  try {
    return await call(false);
  } catch (error) {
    if (error instanceof PermanentPullError && error.status === 401) return call(true);
    throw error;
  }
}
