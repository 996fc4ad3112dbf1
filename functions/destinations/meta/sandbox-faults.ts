import { type GraphFailure, graphFailure } from "./sandbox-rules.js";

/** A canned failure the Meta sandbox answers to the next call(s), to rehearse rate limits and outages. */
export type SandboxFault =
  | {
      readonly kind: "rate_limit";
      /** Graph code: 4 (app), 17 (user), 613 (ad account), 80003 (custom audience BUC). */
      readonly code?: 4 | 17 | 613 | 80_003;
      readonly status?: 400 | 429;
      readonly retryAfterSeconds?: number;
    }
  | { readonly kind: "server_error"; readonly status?: 500 | 502 | 503 }
  | {
      readonly kind: "graph_error";
      readonly status?: number;
      readonly code: number;
      readonly subcode?: number;
      readonly message?: string;
    };

const RATE_LIMIT_MESSAGES: Record<number, string> = {
  4: "Application request limit reached",
  17: "User request limit reached",
  613: "Calls to this api have exceeded the rate limit.",
  80003: "There have been too many calls to this ad-account. Wait a bit and try again.",
};

export function faultAnswer(fault: SandboxFault): [GraphFailure, Record<string, string>] {
  if (fault.kind === "rate_limit") {
    const code = fault.code ?? 17;
    const headers: Record<string, string> =
      fault.retryAfterSeconds !== undefined
        ? { "retry-after": String(fault.retryAfterSeconds) }
        : {};
    return [
      graphFailure(fault.status ?? 400, code, RATE_LIMIT_MESSAGES[code] ?? "Rate limited"),
      headers,
    ];
  }
  if (fault.kind === "server_error") {
    return [
      graphFailure(
        fault.status ?? 500,
        2,
        "An unexpected error has occurred. Please retry your request later.",
      ),
      {},
    ];
  }
  const extra = fault.subcode !== undefined ? { subcode: fault.subcode } : {};
  return [
    graphFailure(fault.status ?? 400, fault.code, fault.message ?? "Invalid parameter", extra),
    {},
  ];
}
