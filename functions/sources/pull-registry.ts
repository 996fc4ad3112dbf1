import type { PullSource } from "../core/pull/source.js";
import { googleAdsPullSource } from "./google-ads/index.js";
import { hubspotPullSource } from "./hubspot/index.js";
import { metaAdsPullSource } from "./meta-ads/index.js";
import { sendgridPullSource } from "./sendgrid/index.js";
import { shopifyPullSource } from "./shopify/index.js";
import { zoomPullSource } from "./zoom/index.js";

/**
 * Every source the pipeline pulls (`runPull`). Adding one is a folder under `sources/` and a line
 * here; the pull use case and its handler never name a vendor.
 */
export const PULL_SOURCES: readonly PullSource[] = [
  hubspotPullSource,
  shopifyPullSource,
  googleAdsPullSource,
  metaAdsPullSource,
  zoomPullSource,
  sendgridPullSource,
];

export function createPullRegistry(
  sources: readonly PullSource[],
): ReadonlyMap<string, PullSource> {
  const registry = new Map<string, PullSource>();
  for (const source of sources) {
    if (registry.has(source.name))
      throw new Error(`pull source "${source.name}" is registered twice`);
    registry.set(source.name, source);
  }
  return registry;
}

export const pullSources: ReadonlyMap<string, PullSource> = createPullRegistry(PULL_SOURCES);
