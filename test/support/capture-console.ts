import { vi } from "vitest";

/** What a command printed: console.log lines in `out`, console.error lines in `err`. */
export function captureConsole() {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a) => void err.push(a.join(" ")));
  return {
    out,
    err,
    restore() {
      log.mockRestore();
      error.mockRestore();
    },
  };
}
