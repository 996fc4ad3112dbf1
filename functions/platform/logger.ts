import { createGcpLoggingPinoConfig } from "@google-cloud/pino-logging-gcp-config";
import { pino } from "pino";
import { currentTrace } from "./trace-context.js";

export { safeError } from "../core/safe-error.js";

/**
 * Structured JSON logs in Cloud Logging's shape, through Google's pino configuration
 * (`@google-cloud/pino-logging-gcp-config`): `severity`, `message`, a `timestamp`, an `insertId`
 * that keeps order, `serviceContext`, `stack_trace` for an `err` that is an Error (so Error
 * Reporting groups it), and `trace_id`/`span_id`/`trace_flags` (see `trace-context.ts`) turned
 * into `logging.googleapis.com/trace`, `…/spanId`, `…/trace_sampled`. Known personal-data fields
 * are redacted before a line is written; callers log our own ids and counts, never values.
 */
export type Logger = pino.Logger;

export const REDACTED_PATHS = [
  "email",
  "*.email",
  "phone",
  "*.phone",
  "payload",
  "*.payload",
  "body",
  "*.body",
  "rawBody",
  "*.rawBody",
  "headers",
  "*.headers",
  "*.secret",
];

export interface LoggerOptions {
  readonly level?: string;
  readonly destination?: pino.DestinationStream;
  /** Error Reporting's service name; Cloud Run's `K_SERVICE` when set. */
  readonly service?: string;
  /** Error Reporting's version; Cloud Run's `K_REVISION` when set. */
  readonly version?: string;
  /** Project of the trace ids (`projects/<id>/traces/<trace>`); `GOOGLE_CLOUD_PROJECT` by default. */
  readonly projectId?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const env = process.env;
  const version = options.version ?? env.K_REVISION;
  const settings = createGcpLoggingPinoConfig(
    {
      // Given, not detected: detection asks the metadata server, which a laptop does not have.
      serviceContext: {
        service: options.service ?? env.K_SERVICE ?? "unistack",
        ...(version ? { version } : {}),
      },
      traceGoogleCloudProjectId: options.projectId ?? env.GOOGLE_CLOUD_PROJECT ?? "",
      inihibitDiagnosticMessage: true,
    },
    {
      level: options.level ?? env.LOG_LEVEL ?? "info",
      base: null,
      // A fresh object per line: pino merges the line's fields into what the mixin returns.
      mixin: () => ({ ...currentTrace() }),
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    },
  );
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** A logger that writes nothing: for the CLI's quiet paths and tests. */
export function createSilentLogger(): Logger {
  return pino({ level: "silent" });
}
