import { pino } from "pino";

export { safeError } from "../core/safe-error.js";

/**
 * Structured JSON logs in Cloud Logging's shape (`severity`, `message`). Known personal-data
 * fields are redacted before a line is written; callers log record ids, never the values.
 */
export type Logger = pino.Logger;

const SEVERITY: Record<string, string> = {
  trace: "DEBUG",
  debug: "DEBUG",
  info: "INFO",
  warn: "WARNING",
  error: "ERROR",
  fatal: "CRITICAL",
};

export const REDACTED_PATHS = [
  "email",
  "*.email",
  "phone",
  "*.phone",
  "payload",
  "*.payload",
  "rawBody",
  "headers.authorization",
  "*.secret",
];

export function createLogger(
  options: { level?: string; destination?: pino.DestinationStream } = {},
): Logger {
  const settings: pino.LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? "info",
    messageKey: "message",
    base: null,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    formatters: {
      level: (label) => ({ severity: SEVERITY[label] ?? "DEFAULT" }),
    },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** A logger that writes nothing: for the CLI's quiet paths and tests. */
export function createSilentLogger(): Logger {
  return pino({ level: "silent" });
}
