import type { IdentifierKind } from "./identifiers.js";

/**
 * What erasure, suppression and access requests are driven by: declarations, never code that
 * names a source or a table. A new source declares its identifiers in its catalog; a new table
 * is declared in `warehouse-tables.ts`; a new lake prefix in `lake-prefixes.ts`. The guard tests
 * (test/unit/privacy/declarations.test.ts) fail when something that holds personal data is not.
 */

/** Where a stream's payload names a person: a JSON path (`$.customer.email`) and its kind. */
export interface IdentifierPath {
  readonly path: string;
  readonly kind: IdentifierKind;
}

/**
 * A stream whose records are privacy requests from the vendor (Shopify's mandatory webhooks):
 * `erase_person` (customers/redact), `erase_connection` (shop/redact: everything the connection
 * sent), `export_person` (customers/data_request).
 */
export type PrivacyRequestKind = "erase_person" | "erase_connection" | "export_person";

/** How a column names a person. */
export type ColumnKind =
  /** A contact id of the identity graph. */
  | "contact_id"
  /** An identity graph node key, `<kind>:<value>`. */
  | "node_key"
  /** A value of this identifier kind (email, phone, shopify_customer_id…). */
  | IdentifierKind;

export interface IdentifierColumn {
  readonly column: string;
  readonly kind: ColumnKind;
  /**
   * A column holding each row's identifier kind (`identifier_type`), when the kind varies per
   * row; `kind` is then ignored.
   */
  readonly kindColumn?: string;
}

/** When an erasure removes a table's rows of the person. */
export type EraseStage =
  /** Deleted with the rest of the warehouse, before destinations are asked to remove. */
  | "now"
  /**
   * Left to the destinations' remove path (the sync snapshot changes only when a destination
   * accepts the remove); the erasure waits until no row of the person is left.
   */
  | "via-destinations"
  /** Deleted once destinations hold the person no more (rows the removal itself may write). */
  | "after-destinations";

export interface PersonalTable {
  readonly dataset: string;
  readonly table: string;
  readonly personal: true;
  readonly identifiers: readonly IdentifierColumn[];
  readonly erase: EraseStage;
  /** Used to find everything that belongs to the person (contact ids ↔ identifiers). */
  readonly resolves?: boolean;
  /** Its rows are consent decisions: an access request lists them as the consent history. */
  readonly consentHistory?: boolean;
}

export interface NonPersonalTable {
  readonly dataset: string;
  /** `*` for every table of the dataset. */
  readonly table: string;
  readonly personal: false;
  /** Why it holds no personal data (shown by the guard when someone wonders). */
  readonly why: string;
}

export type TableDeclaration = PersonalTable | NonPersonalTable;

/** How objects under a lake prefix are erased. */
export type LakeFormat =
  /** NDJSON, one record per line: lines naming the person are removed, the object rewritten. */
  | "ndjson-records"
  /** An activation batch (`rows[].contactIds`): rows of the person's contacts removed. */
  | "activation-batch"
  /** A document about one person (an access-request export): deleted when it names the person. */
  | "person-document"
  /**
   * A pull's page journal (core/pull/journal.ts): the person's raw and quarantine lines removed,
   * the header's counts kept true; window and stop markers are left as they are.
   */
  | "pull-journal"
  /** Holds no personal data (ledgers, leases, manifests, suppression keys). */
  | "none";

export interface LakePrefix {
  readonly prefix: string;
  readonly format: LakeFormat;
  readonly why: string;
  /** Raw objects: their rows are in raw tables and are loaded again once rewritten. */
  readonly loaded?: boolean;
  /**
   * `after-destinations`: erased once destinations hold the person no more (activation batches:
   * the remove itself is such a batch). Default `now`.
   */
  readonly stage?: "now" | "after-destinations";
}
