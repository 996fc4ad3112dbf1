import type { Secrets } from "../../platform/ports.js";
import type { StreamContract } from "../ingest/source.js";

/**
 * What a pulled source gives the pull use case (`runPull`). A source lives in
 * `functions/sources/<name>/` like a webhook source and shares its stream contracts; the core
 * never names a vendor.
 */

/** One configured account of a source (a shop, a HubSpot portal), with its business unit. */
export interface PullConnection {
  readonly id: string;
  readonly businessUnit: string;
  /** The source's own settings for this connection (base URL, shop domain…), parsed by the source. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Secrets under the source's names, resolved to this connection's values. */
  readonly secrets: Secrets;
}

/** The time range one pull run asks for: records the vendor changed in `[from, to)`. */
export interface PullWindow {
  readonly seq: number;
  readonly from: string;
  readonly to: string;
}

export interface PageRequest {
  readonly connection: PullConnection;
  readonly window: PullWindow;
  /** The vendor's cursor of this page, `undefined` for the window's first page. */
  readonly cursor: string | undefined;
  /** HTTP, passed in (global `fetch` in production, a sandbox or a fake in tests). */
  readonly fetch: typeof fetch;
  /**
   * The pull's sleep, for a page made of several calls (a Shopify order's extra line items): a
   * rate limit met after the page's first call is waited out there, since asking for the whole
   * page again would spend the vendor's budget on calls already answered.
   */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** One record of a page: its value (ids above 2^53 as bigint) and its exact JSON text. */
export interface PulledRecord {
  readonly value: unknown;
  readonly json: string;
}

export interface PulledPage {
  readonly records: readonly PulledRecord[];
  /** The cursor of the next page; `undefined` when this was the window's last page. */
  readonly next: string | undefined;
}

export interface PullStream {
  readonly contract: StreamContract;
  /**
   * Reads one page. Throws `RateLimitedError` (waited exactly) or `TransientPullError` (retried
   * with backoff) for what the vendor documents as temporary; any other error stops the pull.
   * Must be read-only: it may be called again for the same cursor after a crash.
   */
  fetchPage(request: PageRequest): Promise<PulledPage>;
  /**
   * How long after a change the vendor's API is sure to show it (search indexes lag): the window
   * ends this long before now, so nothing changed inside it can still appear later.
   */
  readonly settleMs: number;
  /** Where a first pull starts when no `since` is given (ISO instant). */
  readonly defaultSince: string;
}

export interface PullSource {
  /** Lower-case name used in keys and tables, as for webhook sources. */
  readonly name: string;
  readonly streams: Readonly<Record<string, PullStream>>;
}
