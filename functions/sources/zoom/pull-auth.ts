import { z } from "zod";
import { PermanentPullError } from "../../core/pull/errors.js";
import type { PageRequest } from "../../core/pull/source.js";
import { callJson } from "../pull-http.js";

/**
 * Zoom Server-to-Server OAuth (developers.zoom.us/docs/internal-apps/s2s-oauth/): the app's
 * account id, client id and client secret buy an access token with the `account_credentials`
 * grant (POST https://zoom.us/oauth/token, HTTP Basic client_id:client_secret). A token lives one
 * hour and there is no refresh token: a new one is asked for when the cached one is about to
 * expire, or once when the API answers 401 (the token was revoked or the app's scopes changed).
 */
export const ZOOM_ACCOUNT_ID = "ZOOM_ACCOUNT_ID";
export const ZOOM_CLIENT_ID = "ZOOM_CLIENT_ID";
export const ZOOM_CLIENT_SECRET = "ZOOM_CLIENT_SECRET";

/** A token is renewed this long before Zoom says it expires (a page never starts on a stale one). */
const EXPIRY_MARGIN_MS = 60_000;

const TokenAnswerSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().int().positive(),
});

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

export interface ZoomTokens {
  /** A valid access token of the connection's app; `fresh` skips the cache (after a 401). */
  get(request: PageRequest, oauthUrl: string, fresh?: boolean): Promise<string>;
  /** Tokens asked for at Zoom by this process (for tests and the run's log). */
  readonly issued: () => number;
}

function credentials(request: PageRequest) {
  const secrets = request.connection.secrets;
  const values = {
    accountId: secrets.get(ZOOM_ACCOUNT_ID),
    clientId: secrets.get(ZOOM_CLIENT_ID),
    clientSecret: secrets.get(ZOOM_CLIENT_SECRET),
  };
  for (const [name, value] of [
    [ZOOM_ACCOUNT_ID, values.accountId],
    [ZOOM_CLIENT_ID, values.clientId],
    [ZOOM_CLIENT_SECRET, values.clientSecret],
  ] as const) {
    if (!value) {
      const reason = `${name} is not set for this connection`;
      throw Object.assign(new PermanentPullError(reason), { safeReason: reason });
    }
  }
  return values as { accountId: string; clientId: string; clientSecret: string };
}

/** `reason` of Zoom's OAuth error body (`invalid_client`, `unsupported_grant_type`…): an enum. */
function oauthCategory(body: unknown): string | undefined {
  const reason = (body as { reason?: unknown; error?: unknown } | null)?.error;
  return typeof reason === "string" && /^[a-z_]{1,40}$/.test(reason) ? reason : undefined;
}

/** One token cache per process (a Cloud Function instance, a CLI run), keyed by app and account. */
export function createZoomTokens(now: () => number = Date.now): ZoomTokens {
  const cache = new Map<string, CachedToken>();
  let issued = 0;
  return {
    issued: () => issued,
    async get(request, oauthUrl, fresh = false) {
      const { accountId, clientId, clientSecret } = credentials(request);
      const key = `${oauthUrl}\n${accountId}\n${clientId}`;
      const cached = cache.get(key);
      if (!fresh && cached && cached.expiresAt - EXPIRY_MARGIN_MS > now()) return cached.token;
      const answer = await callJson({
        fetch: request.fetch,
        url: `${oauthUrl.replace(/\/+$/, "")}/oauth/token`,
        init: {
          method: "POST",
          headers: {
            authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
            "content-type": "application/x-www-form-urlencoded",
          },
          body: new URLSearchParams({
            grant_type: "account_credentials",
            account_id: accountId,
          }).toString(),
        },
        defaultRetryAfterMs: 1_000,
        categoryOf: oauthCategory,
      }).catch((error: unknown) => {
        if (error instanceof PermanentPullError) {
          const reason = `Zoom refused the app's credentials (${error.message}): check ${ZOOM_ACCOUNT_ID}, ${ZOOM_CLIENT_ID} and ${ZOOM_CLIENT_SECRET}`;
          throw Object.assign(new PermanentPullError(reason, error.status), { safeReason: reason });
        }
        throw error;
      });
      const parsed = TokenAnswerSchema.safeParse(answer.value);
      if (!parsed.success) {
        throw new PermanentPullError("Zoom's token answer has no access_token/expires_in");
      }
      issued += 1;
      const token = {
        token: parsed.data.access_token,
        expiresAt: now() + parsed.data.expires_in * 1000,
      };
      cache.set(key, token);
      return token.token;
    },
  };
}

export const zoomTokens: ZoomTokens = createZoomTokens();
