import type { Secrets } from "../../platform/ports.js";

/**
 * The connection a record came through when none is configured: a deployment with one account
 * per source never names one, and its records carry `default` (connection and business unit).
 */
export const DEFAULT_CONNECTION = "default";

/** A configured account of a source as ingest needs it (`functions/sources/connections.ts`). */
export interface IngestConnection {
  readonly source: string;
  readonly id: string;
  readonly businessUnit: string;
  /** The source's secret name → the environment variable holding this connection's value. */
  readonly secrets: Readonly<Record<string, string>>;
}

/**
 * The connection a webhook path names (`/webhooks/<source>/<connection>`; none = `default`),
 * or `undefined` when that source has no such connection configured. `default` exists for
 * every source that has no configured connection.
 */
export function resolveConnection(
  connections: readonly IngestConnection[],
  source: string,
  id: string | undefined,
): IngestConnection | undefined {
  const own = connections.filter((c) => c.source === source);
  const wanted = id ?? DEFAULT_CONNECTION;
  const found = own.find((c) => c.id === wanted);
  if (found) return found;
  if (own.length === 0 && wanted === DEFAULT_CONNECTION) {
    return { source, id: DEFAULT_CONNECTION, businessUnit: DEFAULT_CONNECTION, secrets: {} };
  }
  return undefined;
}

/** Secrets under the source's own names, answered with this connection's values. */
export function secretsOf(base: Secrets, connection: IngestConnection): Secrets {
  const envName = (name: string) => connection.secrets[name] ?? name;
  return {
    get: (name) => base.get(envName(name)),
    require(name) {
      const value = base.get(envName(name));
      if (value === undefined) {
        throw new Error(
          `secret ${envName(name)} (${name} of connection ${connection.source}/${connection.id}) is not set`,
        );
      }
      return value;
    },
  };
}
