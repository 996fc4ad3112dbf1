import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { LeaseBody } from "../../core/loading/lease.js";

/**
 * Who holds the loader's lease on a laptop, and whether that holder is gone: a demo killed with
 * kill -9 leaves its lease behind, and the next run on the same machine takes it over at once
 * instead of waiting for it to expire.
 */
export function localSweeper(): {
  holder: Pick<LeaseBody, "holder" | "host" | "pid">;
  holderGone: (lease: LeaseBody) => boolean;
} {
  const host = hostname();
  return {
    holder: { holder: `local/${randomUUID()}`, host, pid: process.pid },
    holderGone: (lease) =>
      lease.host === host &&
      lease.pid !== undefined &&
      lease.pid !== process.pid &&
      !alive(lease.pid),
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
