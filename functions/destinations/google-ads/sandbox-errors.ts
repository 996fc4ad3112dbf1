import type { ServerResponse } from "node:http";
import { send } from "../meta/sandbox-http.js";
import type { RuleViolation } from "./sandbox-rules.js";

/** Faults the Google sandbox can be told to answer, and its answers as `google.rpc.Status`. */

export type GoogleSandboxFault =
  | { readonly kind: "resource_exhausted"; readonly retryDelaySeconds?: number }
  | { readonly kind: "unavailable" }
  | { readonly kind: "unauthenticated" };

export function violation(reason: string, message: string): RuleViolation {
  return { httpStatus: 400, status: "INVALID_ARGUMENT", reason, message };
}

export function faultAnswer(fault: GoogleSandboxFault): RuleViolation | FaultAnswer {
  switch (fault.kind) {
    case "resource_exhausted":
      return {
        httpStatus: 429,
        status: "RESOURCE_EXHAUSTED",
        reason: "RESOURCE_EXHAUSTED",
        message: "Too many requests.",
        ...(fault.retryDelaySeconds !== undefined
          ? { retryDelaySeconds: fault.retryDelaySeconds }
          : {}),
      };
    case "unavailable":
      return {
        httpStatus: 503,
        status: "UNAVAILABLE",
        reason: "INTERNAL_ERROR",
        message: "The service is currently unavailable.",
      };
    case "unauthenticated":
      return {
        httpStatus: 401,
        status: "UNAUTHENTICATED",
        reason: "UNAUTHENTICATED",
        message: "Request had invalid authentication credentials.",
      };
  }
}

export interface FaultAnswer {
  readonly httpStatus: number;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
  readonly retryDelaySeconds?: number;
}

export function failure(res: ServerResponse, answer: FaultAnswer): void {
  const details: unknown[] = [
    {
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      reason: answer.reason,
      domain: "datamanager.googleapis.com",
    },
  ];
  if (answer.field !== undefined) {
    details.push({
      "@type": "type.googleapis.com/google.rpc.BadRequest",
      fieldViolations: [{ field: answer.field, description: answer.message }],
    });
  }
  if (answer.retryDelaySeconds !== undefined) {
    details.push({
      "@type": "type.googleapis.com/google.rpc.RetryInfo",
      retryDelay: `${answer.retryDelaySeconds}s`,
    });
  }
  send(res, answer.httpStatus, {
    error: { code: answer.httpStatus, message: answer.message, status: answer.status, details },
  });
}
