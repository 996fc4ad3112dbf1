import { z } from "zod";

/**
 * One structured log line as Cloud Logging reads it from stdout
 * (cloud.google.com/logging/docs/structured-logging): the special fields it lifts into the
 * LogEntry, typed; any other field lands in `jsonPayload`.
 */
export const CloudLoggingLineSchema = z.looseObject({
  severity: z.enum([
    "DEFAULT",
    "DEBUG",
    "INFO",
    "NOTICE",
    "WARNING",
    "ERROR",
    "CRITICAL",
    "ALERT",
    "EMERGENCY",
  ]),
  message: z.string().min(1),
  timestamp: z.object({
    seconds: z.number().int().positive(),
    nanos: z.number().int().min(0).max(999_999_999),
  }),
  "logging.googleapis.com/insertId": z.string().min(1),
  "logging.googleapis.com/trace": z
    .string()
    .regex(/^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/traces\/[0-9a-f]{32}$/)
    .optional(),
  "logging.googleapis.com/spanId": z
    .string()
    .regex(/^[0-9a-f]{16}$/)
    .optional(),
  "logging.googleapis.com/trace_sampled": z.boolean().optional(),
  serviceContext: z.object({ service: z.string().min(1), version: z.string().optional() }),
  /** Error Reporting reads this; it must start like a JavaScript stack. */
  stack_trace: z
    .string()
    .regex(/^\w*Error[^\n]*\n\s+at /)
    .optional(),
});
export type CloudLoggingLine = z.infer<typeof CloudLoggingLineSchema>;

/** Every line parsed and checked; throws naming the first line that is not a valid entry. */
export function parseCloudLoggingLines(lines: readonly string[]): CloudLoggingLine[] {
  return lines.map((line, index) => {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new Error(`log line ${index + 1} is not JSON: ${line.slice(0, 200)}`);
    }
    const parsed = CloudLoggingLineSchema.safeParse(json);
    if (!parsed.success) {
      throw new Error(
        `log line ${index + 1} is not a Cloud Logging entry (${parsed.error.issues
          .map((i) => `${i.path.join(".")}: ${i.message}`)
          .join("; ")}): ${line.slice(0, 300)}`,
      );
    }
    return parsed.data;
  });
}

/** Email addresses anywhere in a text (what must never reach a log). */
export const EMAIL = /[A-Za-z0-9._%+-]+ ?@ ?[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
