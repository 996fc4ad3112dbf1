/**
 * The ingest service on Cloud Run: `npm start` → `node dist/functions/serve-ingest.js`. One
 * `node:http` server for every webhook source (`POST /webhooks/<source>[/<connection>]`, connections
 * from `UNISTACK_CONNECTIONS`, `GET /healthz`), the
 * same server the demo runs, given the cloud adapters. Cloud Run sets `PORT`; SIGTERM (a new
 * revision, scale-in) lets requests in flight finish before the process exits.
 */
import { z } from "zod";
import { startIngestServer } from "./handlers/ingest-server.js";
import { publishPurchases } from "./handlers/realtime-publish.js";
import { gcpPlatform } from "./platform/gcp/gcp-platform.js";
import { createLogger, safeError } from "./platform/logger.js";
import { loadConnections } from "./sources/connections.js";
import { SOURCE_NAMES } from "./sources/source-names.js";

const ServiceEnvSchema = z.object({
  PORT: z.coerce
    .number({ error: "PORT must be a TCP port number" })
    .int()
    .min(0)
    .max(65_535)
    .default(8080),
  /** Cloud Run gives a revision 10 s after SIGTERM; finish within that. */
  UNISTACK_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(60_000).default(8_000),
  /**
   * Topic the realtime path reads (`purchases`): set, the service publishes a pointer for each
   * landed Shopify orders/create and orders/paid (docs/destinations.md, "Real-time path").
   */
  UNISTACK_PURCHASES_TOPIC: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9._~+%-]{2,254}$/, "UNISTACK_PURCHASES_TOPIC must be a topic id")
    .optional(),
});

async function main(): Promise<void> {
  const settings = ServiceEnvSchema.safeParse(process.env);
  if (!settings.success) {
    return exitWith(`invalid service environment: ${settings.error.issues[0]?.message}`);
  }
  let platform: ReturnType<typeof gcpPlatform>;
  let connections: ReturnType<typeof loadConnections>;
  try {
    platform = gcpPlatform(process.env);
    connections = loadConnections(process.env, SOURCE_NAMES);
  } catch (error) {
    return exitWith(error instanceof Error ? error.message : String(error));
  }
  const { store, secrets, clock, logger, bus } = platform;
  const topic = settings.data.UNISTACK_PURCHASES_TOPIC;
  const server = await startIngestServer({
    deps: {
      store,
      secrets,
      clock,
      logger,
      connections,
      ...(topic ? { afterLanding: publishPurchases(bus, topic) } : {}),
    },
    host: "0.0.0.0",
    port: settings.data.PORT,
  });
  logger.info({ port: server.port }, "ingest service listening");

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "ingest service stopping; finishing requests in flight");
    server
      .close({ graceMs: settings.data.UNISTACK_SHUTDOWN_GRACE_MS })
      .then(() => {
        logger.info("ingest service stopped");
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: safeError(error) }, "ingest service did not stop cleanly");
        process.exit(1);
      });
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  // Node would print these as plain text, message and all; log them as a structured CRITICAL
  // line without the message (it may quote request data) and let Cloud Run start afresh.
  const crash = (error: unknown): void => {
    logger.fatal({ err: safeError(error) }, "ingest service crashed");
    process.exit(1);
  };
  process.once("uncaughtException", crash);
  process.once("unhandledRejection", crash);
}

/** A start-up failure: one structured line Cloud Logging shows, and a non-zero exit. */
function exitWith(message: string): void {
  createLogger().fatal(`ingest service cannot start: ${message}`);
  process.exit(1);
}

await main();
