/**
 * The ingest service as `unistack demo` runs it (functions/cli/demo/demo-stages.ts): the same
 * server on loopback, given the local platform's adapters (a folder lake), logging to stdout.
 * Started as its own process by test/e2e/hostile-ingest.test.ts, so its memory can be measured
 * like the deployed entry point's. Env: PORT, UNISTACK_TEST_DIR and the webhook secrets.
 */
import { startIngestServer } from "../../../functions/handlers/ingest-server.js";
import { createLocalPlatform } from "../../../functions/platform/local/local-platform.js";
import { createLogger } from "../../../functions/platform/logger.js";

const dir = process.env.UNISTACK_TEST_DIR;
if (!dir) throw new Error("set UNISTACK_TEST_DIR");
const platform = await createLocalPlatform({ dir, env: process.env, logger: createLogger() });
const server = await startIngestServer({
  deps: {
    store: platform.store,
    secrets: platform.secrets,
    clock: platform.clock,
    logger: platform.logger,
  },
  port: Number(process.env.PORT),
});
process.once("SIGTERM", () => {
  void server
    .close()
    .then(() => platform.close())
    .then(() => process.exit(0));
});
