import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { vectorFile } from "../../../vectors-dir.js";

export interface ZoomSignatureVector {
  name: string;
  secret_token: string;
  x_zm_request_timestamp: string;
  raw_body: string;
  x_zm_signature: string;
  expected_valid: boolean;
}

interface ZoomVectorFile {
  webinar_events: Record<string, Record<string, unknown>>;
  url_validation: {
    documented_example: {
      request_body: Record<string, unknown>;
      response_body: Record<string, string>;
    };
    vectors: {
      name: string;
      plainToken: string;
      secret_token: string;
      expected_encryptedToken: string;
    }[];
  };
  signature_verification: { vectors: ZoomSignatureVector[] };
}

/** test/fixtures/vectors/zoom-webhook.json (provenance in the file). */
export const zoomVectors = JSON.parse(
  readFileSync(vectorFile("zoom-webhook.json"), "utf8"),
) as ZoomVectorFile;

interface ZoomApiFile {
  webhooks: Record<string, Record<string, unknown>>;
  endpoints: Record<string, Record<string, unknown>>;
}

/** test/fixtures/vendor-api/zoom.json: webhook samples and API responses (provenance inside). */
export const zoomApi = JSON.parse(
  readFileSync(resolve(import.meta.dirname, "../../../fixtures/vendor-api/zoom.json"), "utf8"),
) as ZoomApiFile;
