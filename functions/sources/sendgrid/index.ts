import type { WebhookSource } from "../../core/ingest/source.js";
import type { PullSource } from "../../core/pull/source.js";
import { eventsStream, extractSendgridDelivery } from "./extract.js";
import { singlesendStatsStream } from "./stats-pull.js";
import {
  SENDGRID_PUBLIC_KEY,
  SENDGRID_PUBLIC_KEY_PREVIOUS,
  verifySendgridDelivery,
} from "./verify.js";

export { sendgridCatalog } from "./catalog.js";

export const sendgridSource: WebhookSource = {
  name: "sendgrid",
  streams: { events: eventsStream },
  secretNames: [SENDGRID_PUBLIC_KEY, SENDGRID_PUBLIC_KEY_PREVIOUS],
  verify: verifySendgridDelivery,
  extract: extractSendgridDelivery,
};

/** Marketing Campaigns stats of every Single Send, pulled as snapshots of the totals. */
export const sendgridPullSource: PullSource = {
  name: "sendgrid",
  streams: { singlesend_stats: singlesendStatsStream() },
};
