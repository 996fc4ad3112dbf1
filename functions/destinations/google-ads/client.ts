import { IngestionServiceClient } from "@google-ads/datamanager";
import { OAuth2Client } from "google-auth-library";
import type { Logger } from "../../platform/logger.js";
import { DEFAULT_RETRY, type RetryOptions, withRetries } from "../retry.js";
import { GoogleAdsApiError, readGoogleFailure } from "./errors.js";

/**
 * Customer Match through the Data Manager API with Google's client (`@google-ads/datamanager`,
 * REST transport): `audienceMembers:ingest` (add, with each member's consent) and
 * `audienceMembers:remove`, at most 10,000 members per request. Both are set operations on the
 * user list, so a request sent twice (a retry, a redelivered batch) changes nothing the second
 * time. The library's own retries are off (these methods are non-idempotent for it); ours wait a
 * `retryDelay` exactly and back off otherwise (functions/destinations/retry.ts).
 *
 * A request fails whole when a member is malformed (Google's fast-fail model), naming it in a
 * field violation (`audience_members[i]`): those members are set aside as rejected and the rest
 * sent again, so one bad row never holds back the others.
 */

export const MAX_MEMBERS_PER_REQUEST = 10_000;
export const MAX_IDENTIFIERS_PER_MEMBER = 10;
export const DATA_MANAGER_SCOPE = "https://www.googleapis.com/auth/datamanager";

export interface GoogleAdsDestination {
  /** Operating account: the Google Ads customer id owning the user list. */
  readonly customerId: string;
  readonly loginCustomerId?: string;
  /** Customer Match user list id (`productDestinationId`). */
  readonly userListId: string;
}

/** One hashed identifier (hex SHA-256) or an address (hashed names, region and postal in clear). */
export type UserIdentifier =
  | { readonly emailAddress: string }
  | { readonly phoneNumber: string }
  | {
      readonly address: {
        readonly givenName: string;
        readonly familyName: string;
        readonly regionCode: string;
        readonly postalCode: string;
      };
    };

export interface GoogleAudienceMember {
  readonly userIdentifiers: readonly UserIdentifier[];
  /** Required on an add (SPEC-reliability §3); never sent on a remove. */
  readonly consent?: { readonly adUserData: boolean; readonly adPersonalization: boolean };
}

export interface GoogleRequestResult {
  readonly requestId: string;
  /** Members of the input Google took in this request (indexes into the input). */
  readonly sent: readonly number[];
  readonly attempts: number;
}

export interface GoogleSendResult {
  readonly requests: readonly GoogleRequestResult[];
  /** Members Google refused by name, with its reason, as indexes into the input. */
  readonly rejected: ReadonlyArray<{ readonly index: number; readonly reason: string }>;
}

export interface GoogleAdsClient {
  send(
    op: "add" | "remove",
    destination: GoogleAdsDestination,
    members: readonly GoogleAudienceMember[],
  ): Promise<GoogleSendResult>;
}

/** The two methods used, so tests and the sandbox wiring can pass the real client. */
export type IngestionApi = Pick<
  IngestionServiceClient,
  "ingestAudienceMembers" | "removeAudienceMembers"
>;

export interface GoogleAdsClientOptions {
  readonly ingestion: IngestionApi;
  readonly retry?: Partial<RetryOptions>;
  readonly timeoutMs?: number;
  readonly logger?: Logger;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/**
 * Google's client on the REST transport. `endpoint` points it at the local sandbox (plain HTTP,
 * a fixed token); without it, Application Default Credentials with the Data Manager scope.
 */
export function dataManagerIngestion(endpoint?: {
  readonly baseUrl: string;
  readonly accessToken: string;
}): IngestionServiceClient {
  if (endpoint === undefined) {
    return new IngestionServiceClient({ fallback: true, scopes: [DATA_MANAGER_SCOPE] });
  }
  const url = new URL(endpoint.baseUrl);
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: endpoint.accessToken, expiry_date: 8.64e15 });
  return new IngestionServiceClient({
    fallback: true,
    apiEndpoint: url.hostname,
    port: Number(url.port),
    protocol: url.protocol.replace(":", ""),
    // google-gax pins its own google-auth-library: the same class at runtime, another type.
    authClient: authClient as never,
  });
}

/** Rounds of "set the named members aside, send the rest" before the batch is refused whole. */
const MAX_REJECTION_ROUNDS = 3;

export function createGoogleAdsClient(options: GoogleAdsClientOptions): GoogleAdsClient {
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...options.retry };
  const timeout = options.timeoutMs ?? 60_000;

  async function request(
    op: "add" | "remove",
    destination: GoogleAdsDestination,
    members: readonly GoogleAudienceMember[],
  ): Promise<{ requestId: string; attempts: number }> {
    const body = requestBody(op, destination, members);
    let attempts = 0;
    const requestId = await withRetries(
      async (n) => {
        attempts = n;
        try {
          if (op === "add") {
            const [response] = await options.ingestion.ingestAudienceMembers(body, { timeout });
            return response.requestId ?? "";
          }
          const [response] = await options.ingestion.removeAudienceMembers(body, { timeout });
          return response.requestId ?? "";
        } catch (error) {
          throw new GoogleAdsApiError(
            `${op} of ${members.length} members`,
            readGoogleFailure(error),
            n,
          );
        }
      },
      retry,
      {
        ...(options.sleep ? { sleep: options.sleep } : {}),
        ...(options.random ? { random: options.random } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
        context: { destination: "google_ads", op, userList: destination.userListId },
      },
    );
    return { requestId, attempts };
  }

  return {
    async send(op, destination, members) {
      const requests: GoogleRequestResult[] = [];
      const rejected: Array<{ index: number; reason: string }> = [];
      for (let start = 0; start < members.length; start += MAX_MEMBERS_PER_REQUEST) {
        let pending = range(start, Math.min(members.length, start + MAX_MEMBERS_PER_REQUEST));
        for (let round = 1; pending.length > 0; round++) {
          try {
            const chunk = pending.map((i) => members[i] as GoogleAudienceMember);
            const result = await request(op, destination, chunk);
            requests.push({ ...result, sent: pending });
            pending = [];
          } catch (error) {
            const named = error instanceof GoogleAdsApiError ? error.failure.memberIndexes : [];
            const valid = named.filter((i) => i < pending.length);
            if (error instanceof GoogleAdsApiError && !error.retryable && valid.length > 0) {
              if (round < MAX_REJECTION_ROUNDS) {
                const reason = `google_${error.label}`.toLowerCase();
                for (const i of valid) rejected.push({ index: pending[i] as number, reason });
                pending = pending.filter((_, i) => !valid.includes(i));
                continue;
              }
            }
            throw error;
          }
        }
      }
      return { requests, rejected };
    },
  };
}

function requestBody(
  op: "add" | "remove",
  destination: GoogleAdsDestination,
  members: readonly GoogleAudienceMember[],
) {
  return {
    destinations: [
      {
        operatingAccount: { accountId: destination.customerId, accountType: "GOOGLE_ADS" as const },
        ...(destination.loginCustomerId
          ? {
              loginAccount: {
                accountId: destination.loginCustomerId,
                accountType: "GOOGLE_ADS" as const,
              },
            }
          : {}),
        productDestinationId: destination.userListId,
      },
    ],
    audienceMembers: members.map((m) => ({
      userData: { userIdentifiers: m.userIdentifiers.map((id) => ({ ...id })) },
      ...(op === "add" && m.consent
        ? {
            consent: {
              adUserData: status(m.consent.adUserData),
              adPersonalization: status(m.consent.adPersonalization),
            },
          }
        : {}),
    })),
    encoding: "HEX" as const,
  };
}

const status = (granted: boolean) =>
  granted ? ("CONSENT_GRANTED" as const) : ("CONSENT_DENIED" as const);

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
