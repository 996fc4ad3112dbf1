import { pullSources } from "./pull-registry.js";
import { webhookSources } from "./registry.js";

/**
 * Every source name, pushed or pulled: what `UNISTACK_CONNECTIONS` may name. One list for the
 * ingest service, the pull function and the CLI, so a connection of a webhook-only source does
 * not stop the pull function from starting, nor the reverse.
 */
export const SOURCE_NAMES: readonly string[] = [
  ...new Set([...webhookSources.keys(), ...pullSources.keys()]),
];
