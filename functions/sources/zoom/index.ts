import type { WebhookSource } from "../../core/ingest/source.js";
import {
  extractZoomDelivery,
  participantEventsStream,
  registrationEventsStream,
  respondToZoomValidation,
  webinarEventsStream,
} from "./extract.js";
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
