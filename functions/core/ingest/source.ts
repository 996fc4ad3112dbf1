import type { z } from "zod";
import type { Secrets } from "../../platform/ports.js";
import type { IdentifierPath, PrivacyRequestKind } from "../privacy/declarations.js";

/**
 * What a webhook source gives the ingest use case. A source is one folder under
 * `functions/sources/<name>/` and one line in `registry.ts`; the core never names a vendor.
 */

/** Request headers with lower-cased names (Node's `IncomingHttpHeaders` fits). */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

/** One webhook request as it reached us: the signature is checked over `rawBody`. */
export interface WebhookDelivery {
  readonly method: string;
  readonly url: string;
  readonly headers: HeaderBag;
  readonly rawBody: Uint8Array;
}

export type Verdict =
  | { readonly ok: true }
  /**
   * `rejected`: not an authentic delivery (answer 401). `unconfigured`: we cannot check it
   * because a secret is missing (answer 503 so the vendor retries once it is set).
   */
  | { readonly ok: false; readonly kind: "rejected" | "unconfigured"; readonly reason: string };

export interface VerifyContext {
  readonly secrets: Secrets;
  readonly now: Date;
}

/** The body of a delivery that parsed as JSON. Integers beyond 2^53 are `bigint` in `value`. */
export interface JsonBody {
  readonly value: unknown;
  readonly text: string;
}

/** One record cut out of a delivery, before its contract is checked. */
export interface CandidateRecord {
  /** The stream it belongs to, or `undefined` when the delivery cannot be routed. */
  readonly stream: string | undefined;
  /** Why it cannot be routed (e.g. an unknown Shopify topic); set when `stream` is undefined. */
  readonly unroutedReason?: string;
  readonly value: unknown;
  /** The record's exact JSON text, on one line. */
  readonly json: string;
}

export interface Extraction {
  readonly records: readonly CandidateRecord[];
}

/** The outcome of checking one record against its stream's contract. */
export type RecordCheck =
  | { readonly ok: true; readonly recordId: string; readonly eventTime: Date }
  | {
      readonly ok: false;
      /** `path: message` per zod issue; never the offending value. */
      readonly reasons: readonly string[];
      readonly recordIdHint: string | undefined;
    };

/** The contract of one stream (build it with `defineStream`). */
export interface StreamContract {
  readonly schema: z.ZodType;
  check(value: unknown): RecordCheck;
}

export interface WebhookSource {
  /** Lower-case name used in keys and tables: `raw/<name>/…`, `raw.<name>_<stream>`. */
  readonly name: string;
  /** Every stream this source lands, with its contract. */
  readonly streams: Readonly<Record<string, StreamContract>>;
  /** Names of the secrets `verify` reads (for docs and start-up checks). */
  readonly secretNames: readonly string[];
  /** Headers kept with a body that is not JSON, so a replay can still route it. */
  readonly replayHeaders?: readonly string[];
  /** Checks authenticity over the raw bytes, before anything is parsed. */
  verify(delivery: WebhookDelivery, context: VerifyContext): Verdict;
  /** Cuts a parsed body into records and routes each to a stream. */
  extract(delivery: WebhookDelivery, body: JsonBody): Extraction;
  /**
   * A request the source answers itself instead of landing it: a vendor's endpoint check (Zoom's
   * `endpoint.url_validation` wants `{plainToken, encryptedToken}` back). Called after `verify`
   * and JSON parsing; `undefined` lets the delivery land as usual.
   */
  respond?(
    delivery: WebhookDelivery,
    body: JsonBody,
    context: VerifyContext,
  ): EndpointReply | undefined;
}

/** What an endpoint check is answered with (200, this JSON); nothing is landed. */
export interface EndpointReply {
  readonly body: Readonly<Record<string, string>>;
}

/** Catalog entry of a source: who owns it, where personal data sits, how fresh it must be. */
export interface SourceCatalog {
  readonly source: string;
  readonly owner: string;
  readonly description: string;
  readonly streams: Readonly<
    Record<
      string,
      {
        readonly description: string;
        /** JSON paths inside `payload` that hold personal data (masking, access requests). */
        readonly piiPaths: readonly string[];
        /**
         * Where a record names a person (erasure, suppression, access requests): each path with
         * its identifier kind (`email`, `phone`, `shopify_customer_id`…). Required: a stream
         * that names nobody declares `[]`.
         */
        readonly identifiers: readonly IdentifierPath[];
        /** The stream's records are privacy requests from the vendor (core/privacy). */
        readonly privacyRequest?: PrivacyRequestKind;
        /** Alert when the newest landed record is older than this. */
        readonly freshnessTargetHours: number;
        /** Consent signals the stream carries, by purpose. */
        readonly consentSignals: readonly string[];
      }
    >
  >;
}

/** First value of a header, by its lower-case name. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : value[0];
}
