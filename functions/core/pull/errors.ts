/**
 * How a pulled page can fail. A source's `fetchPage` throws one of the first two for what the
 * vendor documents as temporary; anything else stops the pull at once (a 400, a 401, a contract
 * the vendor broke): retrying it would only repeat the failure.
 */

/** The vendor said when to come back (429 + Retry-After, a throttle status): wait exactly that. */
export class RateLimitedError extends Error {
  override readonly name = "RateLimitedError";
  constructor(
    /** How long the vendor asked us to wait, in milliseconds. */
    readonly waitMs: number,
    message = `rate limited; retry after ${Math.ceil(waitMs / 1000)} s`,
  ) {
    super(message);
  }
}

/** A failure worth retrying with backoff (5xx, a reset connection, a timeout). */
export class TransientPullError extends Error {
  override readonly name = "TransientPullError";
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** A vendor answer that retrying will not change (4xx other than 429, an unreadable body). */
export class PermanentPullError extends Error {
  override readonly name = "PermanentPullError";
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * A pull that could not finish. The message says where it stopped and what to do; the position is
 * kept (the page journal), so the next run resumes there. Thrown to the caller: the CLI exits
 * non-zero, the cloud function answers an error and Pub/Sub redelivers.
 */
export class PullIncompleteError extends Error {
  override readonly name = "PullIncompleteError";
  constructor(
    message: string,
    readonly stoppedAt: StoppedAt,
  ) {
    super(message);
  }
}

/** Where a pull stopped: enough for an operator (and `unistack pull`) to find it again. */
export interface StoppedAt {
  readonly source: string;
  readonly connection: string;
  readonly stream: string;
  readonly window: number;
  /** Pages of the window already landed; the next run fetches page `pages + 1`. */
  readonly pages: number;
  /** The vendor cursor of the page that failed (`null`: the window's first page). */
  readonly cursor: string | null;
  /** Short reason: an error class and HTTP status, never a vendor body. */
  readonly reason: string;
  readonly at: string;
}
