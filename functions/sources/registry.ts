import type { SourceCatalog, WebhookSource } from "../core/ingest/source.js";
import { ga4Catalog } from "./ga4/catalog.js";
import { googleAdsCatalog } from "./google-ads/catalog.js";
import { hubspotCatalog, hubspotSource } from "./hubspot/index.js";
import { metaAdsCatalog } from "./meta-ads/catalog.js";
import { sendgridCatalog, sendgridSource } from "./sendgrid/index.js";
import { shopifyCatalog, shopifySource } from "./shopify/index.js";
import { zoomCatalog, zoomSource } from "./zoom/index.js";

/**
 * Every webhook source the pipeline serves. Adding a source is a folder under `sources/` and a
 * line here; the ingest use case and the handlers never name a vendor.
 */
export const WEBHOOK_SOURCES: readonly WebhookSource[] = [
  shopifySource,
  sendgridSource,
  hubspotSource,
  zoomSource,
];

export const SOURCE_CATALOG: readonly SourceCatalog[] = [
  shopifyCatalog,
  sendgridCatalog,
  hubspotCatalog,
  zoomCatalog,
  ga4Catalog,
  googleAdsCatalog,
  metaAdsCatalog,
];

export type SourceRegistry = ReadonlyMap<string, WebhookSource>;

export function createSourceRegistry(sources: readonly WebhookSource[]): SourceRegistry {
  const registry = new Map<string, WebhookSource>();
  for (const source of sources) {
    if (!/^[a-z0-9_]+$/.test(source.name)) {
      throw new Error(`source name "${source.name}" must be lower-case letters, digits or _`);
    }
    if (registry.has(source.name)) throw new Error(`source "${source.name}" is registered twice`);
    registry.set(source.name, source);
  }
  return registry;
}

export const webhookSources: SourceRegistry = createSourceRegistry(WEBHOOK_SOURCES);

/** The HTTP path a source's webhook is served on by the ingest service, locally and on Cloud Run. */
export function webhookPath(source: string): string {
  return `/webhooks/${source}`;
}
