/**
 * An error fit for a log line: its name, code and stack frames, without its message, which may
 * quote request data (V8's `JSON.parse` errors quote the input, for one). Error Reporting groups
 * by the frames, so nothing it needs is lost.
 */
export function safeError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(`a non-Error value was thrown (${typeof error})`);
  const safe = new Error(`${error.name} (message withheld: it may quote request data)`);
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") Object.assign(safe, { code });
  const frames = (error.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line));
  safe.stack = [`Error: ${safe.message}`, ...frames].join("\n");
  return safe;
}
