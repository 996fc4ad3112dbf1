import { describe, expect, it } from "vitest";
import {
  CONFIGURATION_REASONS,
  classifyLoadFailure,
  DATA_REASONS,
  describeLoadError,
  RETRYABLE_REASONS,
} from "../../../../functions/core/loading/failure-policy.js";
import { LoadJobFailedError } from "../../../../functions/platform/ports.js";

const failedJob = (reason: string) => new LoadJobFailedError("job", [{ reason, message: "m" }]);
const request = (code: number | string, reason?: string) =>
  Object.assign(new Error("request failed"), {
    code,
    ...(reason ? { errors: [{ reason }] } : {}),
  });

describe("what a sweep does after a failed load", () => {
  it.each(RETRYABLE_REASONS)("a job that failed with %s runs again under a new id", (reason) => {
    expect(classifyLoadFailure(failedJob(reason))).toEqual({ action: "retry-next", reason });
  });

  it.each(RETRYABLE_REASONS)(
    "a request refused with %s is resubmitted with the same id, even as HTTP 403",
    (reason) => {
      expect(classifyLoadFailure(request(403, reason))).toEqual({ action: "retry-same", reason });
    },
  );

  it.each(DATA_REASONS)("a job that failed on its data (%s) is split", (reason) => {
    expect(classifyLoadFailure(failedJob(reason)).action).toBe("split");
  });

  it.each(CONFIGURATION_REASONS)("%s stops the sweep without marking files failed", (reason) => {
    expect(classifyLoadFailure(failedJob(reason)).action).toBe("abort");
    expect(classifyLoadFailure(request(403, reason)).action).toBe("abort");
  });

  it("defers on quotaExceeded, from a job or a request", () => {
    expect(classifyLoadFailure(failedJob("quotaExceeded")).action).toBe("defer");
    expect(classifyLoadFailure(request(403, "quotaExceeded")).action).toBe("defer");
  });

  it.each([408, 429, 500, 502, 503, 504])("resubmits after HTTP %i", (code) => {
    expect(classifyLoadFailure(request(code)).action).toBe("retry-same");
  });

  it.each(["ECONNRESET", "ETIMEDOUT", "ECONNREFUSED", "EAI_AGAIN", "EPIPE"])(
    "resubmits after a network error %s",
    (code) => {
      expect(classifyLoadFailure(request(code)).action).toBe("retry-same");
    },
  );

  it("stops on another 4xx (e.g. a dataset that does not exist)", () => {
    expect(classifyLoadFailure(request(404, "notFound")).action).toBe("abort");
    expect(classifyLoadFailure(request(400)).action).toBe("abort");
  });

  it("never splits on a reason it does not know", () => {
    expect(classifyLoadFailure(failedJob("somethingNew")).action).toBe("retry-next");
    expect(classifyLoadFailure(new Error("odd")).action).toBe("retry-same");
  });
});

describe("describeLoadError", () => {
  it("cuts quoted values and email addresses out of what is logged and stored", () => {
    const text = describeLoadError(
      new Error(
        `Conversion Error: Could not convert string 'ann@example.com' to INT64 near "Ann Smith" for bob@shop.io`,
      ),
    );
    expect(text).not.toMatch(/ann@example|Ann Smith|bob@shop/);
    expect(text).toContain("Conversion Error");
  });
});
