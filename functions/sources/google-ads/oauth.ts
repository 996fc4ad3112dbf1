import { createHash } from "node:crypto";
import { OAuth2Client } from "google-auth-library";
import {
  PermanentPullError,
  RateLimitedError,
  TransientPullError,
} from "../../core/pull/errors.js";
import type { PageRequest } from "../../core/pull/source.js";

/**
 * The Google Ads API's access token, from the connection's OAuth refresh token: the installed or
 * web app's client id and secret and the refresh token an account admin granted (scope
 * https://www.googleapis.com/auth/adwords) are exchanged at Google's token endpoint
 * (`POST https://oauth2.googleapis.com/token`, `grant_type=refresh_token`; Google's "Using OAuth
 * 2.0 to Access Google APIs"). The exchange and its cache are google-auth-library's
 * `OAuth2Client` (kept per process and connection): it reuses a token until shortly before it
 * expires. A 401 from the API asks for a new one once (`fresh`). Without a refresh token the
 * connection's static `GOOGLE_ADS_ACCESS_TOKEN` is used as before (it expires within an hour).
 */
export const GOOGLE_ADS_CLIENT_ID = "GOOGLE_ADS_CLIENT_ID";
export const GOOGLE_ADS_CLIENT_SECRET = "GOOGLE_ADS_CLIENT_SECRET";
export const GOOGLE_ADS_REFRESH_TOKEN = "GOOGLE_ADS_REFRESH_TOKEN";
export const GOOGLE_ADS_ACCESS_TOKEN = "GOOGLE_ADS_ACCESS_TOKEN";

const clients = new Map<string, OAuth2Client>();

const unset = (name: string) => {
  const reason = `${name} is not set for this connection`;
  return Object.assign(new PermanentPullError(reason), { safeReason: reason });
};

/** Google's OAuth error (`invalid_grant`, `invalid_client`…): an enum, safe to log. */
function tokenError(error: unknown): Error {
  const response = (error as { response?: { status?: unknown; data?: unknown } } | null)?.response;
  const status = typeof response?.status === "number" ? response.status : undefined;
  if (status === undefined || status >= 500) {
    return new TransientPullError(
      `Google's token endpoint failed (${status ?? "no answer"})`,
      status,
    );
  }
  if (status === 429) return new RateLimitedError(30_000);
  const code = (response?.data as { error?: unknown } | null)?.error;
  const category = typeof code === "string" && /^[a-z_]{1,40}$/.test(code) ? ` ${code}` : "";
  const reason = `Google refused the refresh token (HTTP ${status}${category}): check ${GOOGLE_ADS_CLIENT_ID}, ${GOOGLE_ADS_CLIENT_SECRET} and ${GOOGLE_ADS_REFRESH_TOKEN}`;
  return Object.assign(new PermanentPullError(reason, status), { safeReason: reason });
}

export async function googleAdsAccessToken(
  request: PageRequest,
  tokenUrl: string,
  fresh = false,
): Promise<string> {
  const secrets = request.connection.secrets;
  const refreshToken = secrets.get(GOOGLE_ADS_REFRESH_TOKEN);
  if (!refreshToken) {
    const token = secrets.get(GOOGLE_ADS_ACCESS_TOKEN);
    if (!token) throw unset(`${GOOGLE_ADS_REFRESH_TOKEN} (or ${GOOGLE_ADS_ACCESS_TOKEN})`);
    return token;
  }
  const clientId = secrets.get(GOOGLE_ADS_CLIENT_ID);
  const clientSecret = secrets.get(GOOGLE_ADS_CLIENT_SECRET);
  if (!clientId) throw unset(GOOGLE_ADS_CLIENT_ID);
  if (!clientSecret) throw unset(GOOGLE_ADS_CLIENT_SECRET);
  // Keyed by a digest: the refresh token itself is not kept as a map key.
  const key = createHash("sha256")
    .update(`${tokenUrl}\n${clientId}\n${refreshToken}`)
    .digest("hex");
  let client = clients.get(key);
  if (!client) {
    client = new OAuth2Client({
      clientId,
      clientSecret,
      endpoints: { oauth2TokenUrl: tokenUrl },
    });
    client.setCredentials({ refresh_token: refreshToken });
    clients.set(key, client);
  }
  if (fresh) client.setCredentials({ refresh_token: refreshToken });
  try {
    const { token } = await client.getAccessToken();
    if (!token) throw new PermanentPullError("Google's token endpoint gave no access_token");
    return token;
  } catch (error) {
    if (error instanceof PermanentPullError) throw error;
    throw tokenError(error);
  }
}
