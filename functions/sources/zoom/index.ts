import type { WebhookSource } from "../../core/ingest/source.js";
import type { PullSource } from "../../core/pull/source.js";
import {
  extractZoomDelivery,
  participantEventsStream,
  registrationEventsStream,
  respondToZoomValidation,
  webinarEventsStream,
} from "./extract.js";
import { zoomStream } from "./pull.js";
import { createZoomTokens, type ZoomTokens, zoomTokens } from "./pull-auth.js";
import { verifyZoomDelivery, ZOOM_SECRET, ZOOM_SECRET_PREVIOUS } from "./verify.js";

export { zoomCatalog } from "./catalog.js";

export const zoomSource: WebhookSource = {
  name: "zoom",
  streams: {
    webinar_events: webinarEventsStream,
    registration_events: registrationEventsStream,
    participant_events: participantEventsStream,
  },
  secretNames: [ZOOM_SECRET, ZOOM_SECRET_PREVIOUS],
  verify: verifyZoomDelivery,
  extract: extractZoomDelivery,
  respond: respondToZoomValidation,
};

/**
 * Zoom's pull (Server-to-Server OAuth): registrants and participants into the webhook streams
 * (same record ids), polls and Q&A from the Report API into their own streams.
 */
export function createZoomPullSource(tokens: ZoomTokens = zoomTokens): PullSource {
  return {
    name: "zoom",
    streams: {
      registration_events: zoomStream("registrants", tokens),
      participant_events: zoomStream("participants", tokens),
      poll_answers: zoomStream("polls", tokens),
      questions: zoomStream("questions", tokens),
    },
  };
}

export const zoomPullSource: PullSource = createZoomPullSource();
export { createZoomTokens };
