import { z } from "zod";
import { DEFAULT_CONNECTION, secretsOf } from "../core/ingest/connection.js";
import type { Secrets } from "../platform/ports.js";

/**
 * Connections: the accounts of each source this deployment lands (two shops, two HubSpot
 * portals…), each with the business unit its records belong to. Configured, not coded: the JSON
 * in `UNISTACK_CONNECTIONS`, validated here once at start. Without it every source has one
 * connection, `default`, in business unit `default`, reading the source's own secret names, which
 * is what a single-account deployment needs.
 */

const NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const ENV_NAME = /^[A-Z][A-Z0-9_]{0,127}$/;

export const ConnectionSchema = z.strictObject({
  source: z.string().regex(/^[a-z0-9_]+$/, "source: lower-case letters, digits or _"),
  id: z
    .string()
    .regex(NAME, "id: 1–40 lower-case letters, digits, - or _, starting with a letter or digit"),
  businessUnit: z.string().trim().min(1, "businessUnit is required").max(100),
  /**
   * Where this connection's secrets are: the source's secret name (e.g. `HUBSPOT_CLIENT_SECRET`)
   * → the environment variable holding this connection's value (e.g. `HUBSPOT_CLIENT_SECRET_EU`).
   * A name not listed is read under its own name.
   */
  secrets: z
    .record(
      z.string().regex(ENV_NAME, "secret names are upper-case env names"),
      z.string().regex(ENV_NAME, "secrets map to upper-case env variable names"),
    )
    .default({}),
  /** The source's own settings for this account (API base URL, shop domain, first pull date…). */
  settings: z.record(z.string(), z.unknown()).default({}),
});
export type Connection = z.infer<typeof ConnectionSchema>;

export { DEFAULT_CONNECTION };

export const ConnectionsSchema = z.array(ConnectionSchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  for (const [index, connection] of list.entries()) {
    const key = `${connection.source}/${connection.id}`;
    if (seen.has(key)) {
      ctx.addIssue({ code: "custom", path: [index, "id"], message: `${key} is configured twice` });
    }
    seen.add(key);
  }
});

export const CONNECTIONS_ENV = "UNISTACK_CONNECTIONS";

/**
 * The configured connections, or one `default` connection per source in `sources`. Throws a
 * message naming the variable and the first problems when the JSON is not valid.
 */
export function loadConnections(
  env: Readonly<Record<string, string | undefined>>,
  sources: readonly string[],
): Connection[] {
  const text = env[CONNECTIONS_ENV]?.trim();
  const configured: Connection[] = [];
  if (text) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(
        `${CONNECTIONS_ENV} is not JSON: expected [{"source", "id", "businessUnit", …}]`,
      );
    }
    const parsed = ConnectionsSchema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join(".")}: ${i.message}`);
      throw new Error(`${CONNECTIONS_ENV} is not valid: ${problems.join("; ")}`);
    }
    configured.push(...parsed.data);
  }
  const unknown = configured.find((c) => !sources.includes(c.source));
  if (unknown) {
    throw new Error(
      `${CONNECTIONS_ENV}: no source "${unknown.source}" (sources: ${sources.join(", ")})`,
    );
  }
  const defaults = sources
    .filter((source) => !configured.some((c) => c.source === source))
    .map((source) => ({
      source,
      id: DEFAULT_CONNECTION,
      businessUnit: DEFAULT_CONNECTION,
      secrets: {},
      settings: {},
    }));
  return [...configured, ...defaults];
}

/** The connections of one source, in configuration order. */
export function connectionsOf(connections: readonly Connection[], source: string): Connection[] {
  return connections.filter((c) => c.source === source);
}

/** Secrets under the source's own names, answered with this connection's values. */
export function connectionSecrets(base: Secrets, connection: Connection): Secrets {
  return secretsOf(base, connection);
}
