import { describe, expect, it } from "vitest";
import { traceFields } from "../../../functions/platform/trace-context.js";

describe("traceFields (Cloud Run's trace headers)", () => {
  it("reads W3C traceparent", () => {
    expect(
      traceFields({ traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" }),
    ).toEqual({
      trace_id: "0af7651916cd43dd8448eb211c80319c",
      span_id: "b7ad6b7169203331",
      trace_flags: "01",
    });
  });

  it("reads X-Cloud-Trace-Context, turning its decimal span id into 16 hex digits", () => {
    expect(
      traceFields({ "x-cloud-trace-context": "105445aa7843bc8bf206b12000100000/1;o=1" }),
    ).toEqual({
      trace_id: "105445aa7843bc8bf206b12000100000",
      span_id: "0000000000000001",
      trace_flags: "01",
    });
    expect(traceFields({ "x-cloud-trace-context": "105445aa7843bc8bf206b12000100000" })).toEqual({
      trace_id: "105445aa7843bc8bf206b12000100000",
    });
  });

  it.each([
    ["an email in traceparent", { traceparent: "person@example.com" }],
    ["an all-zero trace id", { traceparent: `00-${"0".repeat(32)}-b7ad6b7169203331-01` }],
    ["upper-case hex", { traceparent: "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01" }],
    ["a padded cloud trace", { "x-cloud-trace-context": " 105445aa7843bc8bf206b12000100000/1" }],
    ["the header sent twice", { traceparent: ["00-a-b-01", "00-c-d-01"] }],
  ])("ignores %s: nothing from it reaches a log line", (_name, headers) => {
    expect(traceFields(headers)).toEqual({});
  });

  it("keeps the trace but drops a span id beyond 64 bits", () => {
    const header = `${"a".repeat(32)}/99999999999999999999`;
    expect(traceFields({ "x-cloud-trace-context": header })).toEqual({ trace_id: "a".repeat(32) });
  });
});
