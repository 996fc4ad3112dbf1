import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PullIncompleteError } from "../../../../functions/core/pull/errors.js";
import { runPull } from "../../../../functions/core/pull/run-pull.js";
import { createEnvSecrets } from "../../../../functions/platform/env-secrets.js";
import { googleAdsPullSource } from "../../../../functions/sources/google-ads/index.js";
import {
  type GoogleAdsSandbox,
  startGoogleAdsSandbox,
} from "../../../../functions/sources/google-ads/sandbox.js";
import { googleAdsSandboxData } from "../../../../functions/sources/google-ads/sandbox-data.js";
import { capturingLogger, createLake, fixedClock, type Lake } from "../../handlers/harness.js";

const NOW = new Date("2026-03-10T06:00:00Z");
const OAUTH = { clientId: "cid.apps", clientSecret: "GOCSPX-s", refreshToken: "1//refresh-value" };
let lake: Lake;
let sandbox: GoogleAdsSandbox;
let t = NOW.getTime();
beforeEach(async () => {
  lake = await createLake();
  t = NOW.getTime();
  sandbox = await startGoogleAdsSandbox({
    data: googleAdsSandboxData({ seed: 3, now: new Date("2026-03-09T12:00:00Z") }),
    accessToken: "ya29.static-unused",
    developerToken: "dev",
    oauth: { ...OAUTH, tokenTtlSeconds: 3600 },
    now: () => t,
  });
});
afterEach(async () => {
  await sandbox.close();
  await lake.cleanup();
});

function pull(refreshToken = OAUTH.refreshToken, onPage?: () => void) {
  return runPull(
    {
      store: lake.store,
      clock: fixedClock(NOW),
      logger: capturingLogger().logger,
      fetch: async (input, init) => {
        onPage?.();
        return fetch(input, init);
      },
      sleep: async (ms) => {
        t += ms;
      },
    },
    {
      source: googleAdsPullSource,
      connection: {
        id: "default",
        businessUnit: "default",
        settings: {
          baseUrl: sandbox.url,
          tokenUrl: `${sandbox.url}/token`,
          customerId: "1234567890",
          backfillDays: 7,
        },
        secrets: createEnvSecrets({
          GOOGLE_ADS_CLIENT_ID: OAUTH.clientId,
          GOOGLE_ADS_CLIENT_SECRET: OAUTH.clientSecret,
          GOOGLE_ADS_REFRESH_TOKEN: refreshToken,
          GOOGLE_ADS_DEVELOPER_TOKEN: "dev",
        }),
      },
      stream: "campaign_stats",
    },
  );
}

describe("Google Ads OAuth refresh", () => {
  it("exchanges the refresh token once and reuses the access token for every day", async () => {
    const outcome = await pull();
    expect(outcome).toMatchObject({ status: "done", pages: 7 });
    expect(sandbox.tokensIssued()).toBe(1);
    expect(sandbox.requests.every((r) => r.status === 200)).toBe(true);
  });

  it("gets a new access token when Google answers 401 for an expired one, and goes on", async () => {
    let calls = 0;
    // After the third day, an hour passes on Google's side: the token it issued has expired.
    const outcome = await pull(OAUTH.refreshToken, () => {
      calls += 1;
      if (calls === 4) t += 3_600_000;
    });
    expect(outcome).toMatchObject({ status: "done", pages: 7 });
    expect(sandbox.tokensIssued()).toBe(2);
    expect(sandbox.requests.map((r) => r.status)).toEqual([200, 200, 200, 401, 200, 200, 200, 200]);
  });

  it("stops on a revoked refresh token with Google's invalid_grant, naming the secrets, never their values", async () => {
    const error = await pull("1//revoked-value").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PullIncompleteError);
    const message = (error as Error).message;
    expect(message).toContain("HTTP 400 invalid_grant");
    expect(message).toContain("GOOGLE_ADS_REFRESH_TOKEN");
    expect(message).not.toContain("revoked-value");
    expect(sandbox.requests).toEqual([]);
  });
});
