import { randomUUID } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { bearer, readBody, send } from "../meta/sandbox-http.js";
import { failure, faultAnswer, type GoogleSandboxFault, violation } from "./sandbox-errors.js";
import { addressOf, ListMembers } from "./sandbox-lists.js";
import { checkRequest, type HeldMember, isViolation, RequestSchema } from "./sandbox-rules.js";

export type { GoogleSandboxFault } from "./sandbox-errors.js";

/**
 * A local stand-in for the Data Manager API's Customer Match methods on 127.0.0.1, spoken to by
 * Google's own client (REST transport): it enforces the request rules (sandbox-rules.ts), holds
 * each user list's members (an add merges into the member sharing any identifier, a remove takes
 * out every member sharing one, so both are set operations as at Google) and answers errors as
 * `google.rpc.Status` with ErrorInfo / BadRequest / RetryInfo details. Faults can be queued.
 */

export const GOOGLE_SANDBOX_TOKEN = "google-sandbox-token";

export interface GoogleSandboxRequest {
  readonly op: "add" | "remove";
  readonly members: number;
  readonly httpStatus: number;
  readonly status: string;
  readonly requestId?: string;
}

export interface GoogleAdsSandbox {
  readonly baseUrl: string;
  readonly accessToken: string;
  readonly requests: readonly GoogleSandboxRequest[];
  /** Members a user list holds (`customerId/userListId`), sorted by their identifiers. */
  members(list: string): HeldMember[];
  failNext(fault: GoogleSandboxFault, times?: number): void;
  /** Refuses the current token from now on (an expired or revoked credential). */
  expireToken(): void;
  /** Accepts the token again (the credential was renewed). */
  renewToken(): void;
  close(): Promise<void>;
}

const StateSchema = z.object({
  lists: z.record(z.string(), z.array(z.record(z.string(), z.string()))),
});

export async function startGoogleAdsSandbox(options: {
  /** User lists that exist, as `customerId/userListId`. */
  readonly userLists: readonly string[];
  /** JSON file keeping the lists across processes (written atomically). */
  readonly statePath?: string;
}): Promise<GoogleAdsSandbox> {
  const lists = new Map(options.userLists.map((l) => [l, new ListMembers()]));
  if (options.statePath) {
    const text = await readFile(options.statePath, "utf8").catch(() => undefined);
    if (text !== undefined) {
      for (const [list, rows] of Object.entries(StateSchema.parse(JSON.parse(text)).lists)) {
        const members = new ListMembers();
        for (const row of rows) members.add(row);
        lists.set(list, members);
      }
    }
  }
  const known = {
    customerIds: new Set(options.userLists.map((l) => l.split("/")[0] ?? "")),
    userLists: new Set(lists.keys()),
  };
  const requests: GoogleSandboxRequest[] = [];
  const faults: GoogleSandboxFault[] = [];
  let tokenValid = true;

  const persist = async () => {
    if (!options.statePath) return;
    const tmp = `${options.statePath}.${process.pid}.tmp`;
    const state = Object.fromEntries([...lists].map(([list, m]) => [list, m.all()]));
    await writeFile(tmp, JSON.stringify({ lists: state }));
    await rename(tmp, options.statePath);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://sandbox").pathname;
    const op =
      path === "/v1/audienceMembers:ingest"
        ? "add"
        : path === "/v1/audienceMembers:remove"
          ? "remove"
          : undefined;
    if (req.method !== "POST" || op === undefined) {
      return failure(res, {
        httpStatus: 404,
        status: "NOT_FOUND",
        reason: "NOT_FOUND",
        message: "no such method",
      });
    }
    const log = (members: number, httpStatus: number, status: string, requestId?: string) =>
      requests.push({ op, members, httpStatus, status, ...(requestId ? { requestId } : {}) });
    const body = await readBody(req);
    if (!tokenValid || bearer(req.headers.authorization) !== GOOGLE_SANDBOX_TOKEN) {
      log(0, 401, "UNAUTHENTICATED");
      return failure(res, {
        httpStatus: 401,
        status: "UNAUTHENTICATED",
        reason: "UNAUTHENTICATED",
        message: "Request had invalid authentication credentials.",
      });
    }
    const fault = faults.shift();
    if (fault) {
      const answer = faultAnswer(fault);
      log(0, answer.httpStatus, answer.status);
      return failure(res, answer);
    }
    let json: unknown;
    try {
      json = JSON.parse(body?.toString("utf8") ?? "");
    } catch {
      log(0, 400, "INVALID_ARGUMENT");
      return failure(res, violation("INVALID_FORMAT", "the body is not JSON"));
    }
    const parsed = RequestSchema.safeParse(json);
    if (!parsed.success) {
      log(0, 400, "INVALID_ARGUMENT");
      const where = parsed.error.issues[0]?.path.join(".") ?? "";
      return failure(res, violation("INVALID_ARGUMENT", `invalid field ${where}`));
    }
    const checked = checkRequest(op, parsed.data, known);
    if (isViolation(checked)) {
      log(parsed.data.audienceMembers.length, checked.httpStatus, checked.status);
      return failure(res, checked);
    }
    const requestId = randomUUID();
    if (parsed.data.validateOnly !== true) {
      const list = lists.get(`${checked.destination.customerId}/${checked.destination.userListId}`);
      checked.members.forEach((member, i) => {
        if (op === "remove") list?.remove(member);
        else if (checked.consented[i]) list?.add(member); // Google does not use it otherwise.
      });
      await persist();
    }
    log(checked.members.length, 200, "OK", requestId);
    send(res, 200, { requestId });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() =>
      failure(res, {
        httpStatus: 500,
        status: "INTERNAL",
        reason: "INTERNAL_ERROR",
        message: "sandbox error",
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    accessToken: GOOGLE_SANDBOX_TOKEN,
    requests,
    members: (list) => (lists.get(list)?.all() ?? []).sort((a, b) => key(a).localeCompare(key(b))),
    failNext(fault, times = 1) {
      for (let i = 0; i < times; i++) faults.push(fault);
    },
    expireToken() {
      tokenValid = false;
    },
    renewToken() {
      tokenValid = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const key = (m: HeldMember) => m.email ?? m.phone ?? addressOf(m);
