import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingHttpHeaders } from "node:http";

/**
 * The trace a request belongs to, from the headers Cloud Run's front end sets (`traceparent`,
 * W3C; `X-Cloud-Trace-Context`, Google's older form). The fields carry OpenTelemetry's names,
 * which Google's pino configuration turns into `logging.googleapis.com/trace`, `…/spanId` and
 * `…/trace_sampled`, so every log line of a request is grouped under its trace.
 *
 * These are the only header values that reach a log line, and only when they are exactly hex
 * ids of the documented lengths: anything else a sender puts there is ignored.
 *
 * The fields travel with the request's async work (`runWithTrace`) and the logger adds them to
 * every line (`currentTrace`, a pino mixin), the way OpenTelemetry's instrumentation does.
 */
export interface TraceFields {
  readonly trace_id?: string;
  readonly span_id?: string;
  readonly trace_flags?: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const CLOUD_TRACE = /^([0-9a-f]{32})(?:\/(\d{1,20}))?(?:;o=([0-9]))?$/;
const ZEROS = /^0+$/;
const MAX_SPAN = (1n << 64n) - 1n;

export function traceFields(headers: IncomingHttpHeaders): TraceFields {
  const parent = single(headers.traceparent);
  const w3c = parent ? TRACEPARENT.exec(parent) : null;
  if (w3c?.[1] && w3c[2] && w3c[3] && !ZEROS.test(w3c[1]) && !ZEROS.test(w3c[2])) {
    return { trace_id: w3c[1], span_id: w3c[2], trace_flags: w3c[3] };
  }
  const cloud = single(headers["x-cloud-trace-context"]);
  const google = cloud ? CLOUD_TRACE.exec(cloud) : null;
  if (!google?.[1] || ZEROS.test(google[1])) return {};
  const span = google[2] === undefined ? undefined : BigInt(google[2]);
  const spanId =
    span !== undefined && span > 0n && span <= MAX_SPAN
      ? span.toString(16).padStart(16, "0")
      : undefined;
  return {
    trace_id: google[1],
    ...(spanId ? { span_id: spanId } : {}),
    ...(google[3] === "1" ? { trace_flags: "01" } : {}),
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

const traces = new AsyncLocalStorage<TraceFields>();

/** Runs `work` so that every log line it writes, across awaits, carries `fields`. */
export function runWithTrace<T>(fields: TraceFields, work: () => T): T {
  return traces.run(fields, work);
}

/** The trace of the work running now (empty outside a request). */
export function currentTrace(): TraceFields {
  return traces.getStore() ?? {};
}
