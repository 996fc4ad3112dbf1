import { randomBytes } from "node:crypto";
import {
  type GraphError,
  MAX_USERS_PER_REQUEST,
  SINGLE_KEY_SCHEMAS,
  type UploadSession,
  UploadSessionSchema,
  UsersPayloadSchema,
} from "./contracts.js";
import type { MemberRow } from "./sandbox-audiences.js";

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
      /** Valid rows, by Meta key name (`EMAIL`, `PHONE`, `FN`…; single-key schemas map to their key). */
      readonly valid: MemberRow[];
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
  const keys = keyNames(payload.data.schema);
  if (!keys) {
    return {
      ok: false,
      failure: invalidParameter(
        `Invalid schema ${JSON.stringify(payload.data.schema)}: use one of ${SINGLE_KEY_SCHEMAS.join(", ")} or an array of keys`,
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
  const valid: MemberRow[] = [];
  const invalidSamples: Record<string, string> = {};
  let numInvalid = 0;
  for (const row of payload.data.data) {
    const checked = checkRow(keys, row);
    if (typeof checked !== "string") {
      valid.push(checked);
      continue;
    }
    numInvalid++;
    if (Object.keys(invalidSamples).length < INVALID_SAMPLE_LIMIT) {
      invalidSamples[Array.isArray(row) ? row.join(",") : String(row)] = checked;
    }
  }
  return {
    ok: true,
    valid,
    numReceived: payload.data.data.length,
    numInvalid,
    invalidSamples,
    session,
  };
}

/** Key names of a schema: `EMAIL_SHA256` → `[EMAIL]`, `["EMAIL","FN"]` as given; `undefined` when unknown. */
function keyNames(schema: string | readonly string[]): string[] | undefined {
  if (typeof schema === "string") {
    if (!(SINGLE_KEY_SCHEMAS as readonly string[]).includes(schema)) return undefined;
    return [schema.startsWith("PHONE") ? "PHONE" : "EMAIL"];
  }
  return new Set(schema).size === schema.length ? [...schema] : undefined;
}

/** A row as held, or why Meta would count it invalid. Every value we send is hashed. */
function checkRow(keys: readonly string[], row: unknown): MemberRow | string {
  const values = Array.isArray(row) ? row : [row];
  if (values.length !== keys.length) {
    return `Invalid format: the row has ${values.length} values for ${keys.length} keys`;
  }
  const out: Record<string, string> = {};
  for (const [i, key] of keys.entries()) {
    const value = values[i];
    if (value === "") continue;
    if (typeof value !== "string" || !SHA256_LOWER_HEX.test(value)) {
      return "Invalid format: expected a SHA-256 hash, lower-case hex";
    }
    out[key] = value;
  }
  if (!out.EMAIL && !out.PHONE) return "Invalid format: the row has no email or phone";
  return out;
}

function parseJsonParam(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
