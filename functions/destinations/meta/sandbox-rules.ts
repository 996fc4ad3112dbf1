import { randomBytes } from "node:crypto";
import {
  type GraphError,
  MAX_USERS_PER_REQUEST,
  SINGLE_KEY_SCHEMAS,
  type UploadSession,
  UploadSessionSchema,
  UsersPayloadSchema,
} from "./contracts.js";
import type { AudienceKey } from "./sandbox-audiences.js";

/**
 * The request rules of Meta's users edge, as the local sandbox enforces them: the parameters a
 * request must carry and which rows Meta counts as invalid. Pure: no server, no state.
 */

export interface GraphFailure {
  readonly status: number;
  readonly body: { error: GraphError };
}

export type UsersCheck =
  | { readonly ok: false; readonly failure: GraphFailure }
  | {
      readonly ok: true;
      readonly key: AudienceKey;
      readonly valid: string[];
      readonly numReceived: number;
      readonly numInvalid: number;
      readonly invalidSamples: Record<string, string>;
      readonly session: UploadSession | undefined;
    };

/** How many refused values an answer shows. */
export const INVALID_SAMPLE_LIMIT = 100;
const SHA256_LOWER_HEX = /^[0-9a-f]{64}$/;

export function graphFailure(
  status: number,
  code: number,
  message: string,
  extra: { type?: string; subcode?: number; userTitle?: string; userMessage?: string } = {},
): GraphFailure {
  return {
    status,
    body: {
      error: {
        message,
        type: extra.type ?? "OAuthException",
        code,
        ...(extra.subcode !== undefined ? { error_subcode: extra.subcode } : {}),
        ...(extra.userTitle ? { error_user_title: extra.userTitle } : {}),
        ...(extra.userMessage ? { error_user_msg: extra.userMessage } : {}),
        fbtrace_id: randomBytes(8).toString("base64url"),
      },
    },
  };
}

const invalidParameter = (message: string): GraphFailure =>
  graphFailure(400, 100, `(#100) ${message}`, { type: "OAuthException" });

/** Checks the `payload` and `session` parameters of a users-edge call and sorts its rows. */
export function checkUsersParams(params: Readonly<Record<string, unknown>>): UsersCheck {
  if (params.payload === undefined || params.payload === "") {
    return { ok: false, failure: invalidParameter("The parameter payload is required") };
  }
  const payloadValue = parseJsonParam(params.payload);
  if (payloadValue === undefined) {
    return { ok: false, failure: invalidParameter("payload must be a JSON object") };
  }
  const rows = (payloadValue as { data?: unknown } | null)?.data;
  const rowCount = Array.isArray(rows) ? rows.length : 0;
  if (rowCount > MAX_USERS_PER_REQUEST) {
    return {
      ok: false,
      failure: invalidParameter(
        `Too many users in one request: ${rowCount}; send at most ${MAX_USERS_PER_REQUEST} per request`,
      ),
    };
  }
  const payload = UsersPayloadSchema.safeParse(payloadValue);
  if (!payload.success) {
    const issue = payload.error.issues[0];
    const where = issue?.path.length ? `payload.${issue.path.join(".")}` : "payload";
    return { ok: false, failure: invalidParameter(`Invalid ${where}: ${issue?.message}`) };
  }
  const schema = payload.data.schema;
  const single = typeof schema === "string" ? schema : schema.length === 1 ? schema[0] : undefined;
  if (!single || !(SINGLE_KEY_SCHEMAS as readonly string[]).includes(single)) {
    return {
      ok: false,
      failure: invalidParameter(
        `Invalid schema ${JSON.stringify(schema)}: the sandbox checks single-key schemas (${SINGLE_KEY_SCHEMAS.join(", ")})`,
      ),
    };
  }
  let session: UploadSession | undefined;
  if (params.session !== undefined) {
    const parsed = UploadSessionSchema.safeParse(parseJsonParam(params.session));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        failure: invalidParameter(`Invalid session.${issue?.path.join(".")}: ${issue?.message}`),
      };
    }
    session = parsed.data;
  }
  const valid: string[] = [];
  const invalidSamples: Record<string, string> = {};
  let numInvalid = 0;
  for (const row of payload.data.data) {
    const value = Array.isArray(row) ? (row.length === 1 ? row[0] : undefined) : row;
    if (typeof value === "string" && SHA256_LOWER_HEX.test(value)) {
      valid.push(value);
      continue;
    }
    numInvalid++;
    if (Object.keys(invalidSamples).length < INVALID_SAMPLE_LIMIT) {
      invalidSamples[String(value)] = "Invalid format: expected a SHA-256 hash, lower-case hex";
    }
  }
  return {
    ok: true,
    key: single.startsWith("PHONE") ? "PHONE" : "EMAIL",
    valid,
    numReceived: payload.data.data.length,
    numInvalid,
    invalidSamples,
    session,
  };
}

function parseJsonParam(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
