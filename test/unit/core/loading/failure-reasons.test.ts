import { describe, expect, it } from "vitest";
import {
  classifyLoadFailure,
  describeLoadError,
} from "../../../../functions/core/loading/failure-policy.js";
import { LoadJobFailedError } from "../../../../functions/platform/ports.js";

/**
 * BigQuery's reasons written out here, not read from failure-policy.ts: a test that iterates the
 * module's own list cannot notice a reason deleted from it (a transient failure would then be
 * treated as another kind, e.g. a permanent one, and its files never loaded).
 * cloud.google.com/bigquery/docs/error-messages.
 */
const failedJob = (reason: string) => new LoadJobFailedError("job", [{ reason, message: "m" }]);
const request = (code: unknown, ...reasons: string[]) =>
  Object.assign(new Error("request failed"), {
    code,
    ...(reasons.length > 0 ? { errors: reasons.map((reason) => ({ reason })) } : {}),
  });

describe("BigQuery's failure reasons, each decided on its own", () => {
  it.each([
    "backendError",
    "internalError",
    "badGateway",
    "rateLimitExceeded",
    "jobBackendError",
    "jobInternalError",
    "jobRateLimitExceeded",
    "tableUnavailable",
    "stopped",
  ])(
    "a request refused with the transient reason %s is resubmitted under the same job id, even as HTTP 400",
    (reason) => {
      // 400 would otherwise stop the sweep: only the reason says the request may be retried.
      expect(classifyLoadFailure(request(400, reason))).toEqual({ action: "retry-same", reason });
      expect(classifyLoadFailure(request(400, "somethingElse", reason))).toEqual({
        action: "retry-same",
        reason,
      });
    },
  );

  it.each([
    "invalid",
    "invalidQuery",
    "notFound",
    "resourcesExceeded",
    "timeout",
    "responseTooLarge",
  ])("a job that failed on what it read (%s) is split to isolate the bad file", (reason) => {
    expect(classifyLoadFailure(failedJob(reason))).toEqual({ action: "split", reason });
  });

  it.each([
    "accessDenied",
    "billingNotEnabled",
    "billingTierLimitExceeded",
    "blocked",
    "invalidUser",
    "notImplemented",
    "proxyAuthenticationRequired",
  ])("a job refused for its setup (%s) stops the sweep without marking files failed", (reason) => {
    expect(classifyLoadFailure(failedJob(reason))).toEqual({ action: "abort", reason });
    expect(classifyLoadFailure(request(403, reason))).toEqual({ action: "abort", reason });
  });

  it("a job that hit quotaExceeded is deferred, and so is a request, whatever its HTTP status", () => {
    expect(classifyLoadFailure(failedJob("quotaExceeded"))).toEqual({
      action: "defer",
      reason: "quotaExceeded",
    });
    expect(classifyLoadFailure(request(500, "quotaExceeded"))).toEqual({
      action: "defer",
      reason: "quotaExceeded",
    });
  });

  it("a job that failed without any reason is run again under a new id, reason unknown", () => {
    expect(classifyLoadFailure(new LoadJobFailedError("job", []))).toEqual({
      action: "retry-next",
      reason: "unknown",
    });
  });

  it.each([408, 429, 500, 502, 503, 504])(
    "HTTP %i without a reason is resubmitted and named",
    (code) => {
      expect(classifyLoadFailure(request(code))).toEqual({
        action: "retry-same",
        reason: `HTTP ${code}`,
      });
    },
  );

  it("another 4xx stops the sweep, named by its reason or else its status; 5xx not listed and 3xx are retried", () => {
    expect(classifyLoadFailure(request(404, "notFound"))).toEqual({
      action: "abort",
      reason: "notFound",
    });
    expect(classifyLoadFailure(request(400))).toEqual({ action: "abort", reason: "HTTP 400" });
    expect(classifyLoadFailure(request(499))).toEqual({ action: "abort", reason: "HTTP 499" });
    expect(classifyLoadFailure(request(399))).toEqual({ action: "retry-same", reason: "unknown" });
    expect(classifyLoadFailure(request(501))).toEqual({ action: "retry-same", reason: "unknown" });
  });

  it.each([
    "ECONNRESET",
    "ETIMEDOUT",
    "ECONNREFUSED",
    "EAI_AGAIN",
    "EPIPE",
    "ENOTFOUND",
    "ECONNABORTED",
  ])("a network error %s is resubmitted and named", (code) => {
    expect(classifyLoadFailure(request(code))).toEqual({ action: "retry-same", reason: code });
  });

  it("anything else (a lock, a thrown string, nothing) is resubmitted as unknown", () => {
    expect(classifyLoadFailure(request("EWHATEVER"))).toEqual({
      action: "retry-same",
      reason: "unknown",
    });
    // A status given as text is not an HTTP answer: nothing says the setup is wrong.
    expect(classifyLoadFailure(request("404"))).toEqual({
      action: "retry-same",
      reason: "unknown",
    });
    expect(classifyLoadFailure("boom")).toEqual({ action: "retry-same", reason: "unknown" });
    expect(classifyLoadFailure(undefined)).toEqual({ action: "retry-same", reason: "unknown" });
    expect(classifyLoadFailure(null)).toEqual({ action: "retry-same", reason: "unknown" });
  });
});

describe("what a load error says when it is logged and stored", () => {
  it("keeps the words, replaces each quoted value by '…' and each address by <email>", () => {
    expect(
      describeLoadError(
        new Error(
          `Could not convert 'Ann Smith' to INT64 near "x y" for bob.o+1@shop-x.co.uk, row 3`,
        ),
      ),
    ).toBe("Could not convert '…' to INT64 near '…' for <email>, row 3");
  });

  it("does not join quotes across lines, so text between two quoted lines stays", () => {
    expect(describeLoadError(new Error("it's line one\nline two's end"))).toBe(
      "it's line one\nline two's end",
    );
  });

  it("describes a thrown non-error by its text and bounds the length to 1,000 characters", () => {
    expect(describeLoadError("plain text")).toBe("plain text");
    expect(describeLoadError(new Error("x".repeat(5_000)))).toBe("x".repeat(1_000));
  });
});
