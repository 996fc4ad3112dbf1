import { readFileSync } from "node:fs";
import { z } from "zod";

import { vectorFile } from "../../vectors-dir.js";

/** The vendor vectors in `../shared/vectors/` (next to the repository), parsed and typed. */
function readVector(name: string): unknown {
  return JSON.parse(readFileSync(vectorFile(name), "utf8"));
}

const ShopifyVectorsSchema = z.object({
  order_payload: z.object({
    order_get_450789469: z.object({ order: z.record(z.string(), z.unknown()) }),
    order_create_1073459975: z.object({ response_order: z.record(z.string(), z.unknown()) }),
  }),
  hmac_vectors: z.object({
    vectors: z.array(
      z.object({
        name: z.string(),
        secret: z.string().optional(),
        raw_body: z.string().nullable().optional(),
        headers: z.record(z.string(), z.string()).optional(),
        header_hmac: z.string().optional(),
        expected_hmac_sha256_base64: z.string().optional(),
        expected_result: z.record(z.string(), z.unknown()).optional(),
        note: z.string().optional(),
      }),
    ),
  }),
});

const SendgridVectorsSchema = z.object({
  example_event_post_body: z.object({ events: z.array(z.record(z.string(), z.unknown())) }),
  signature_verification: z.object({
    vectors: z.array(
      z.object({
        name: z.string(),
        public_key: z.string(),
        payload: z.string(),
        signature: z.string(),
        timestamp: z.string(),
        expected_valid: z.boolean(),
      }),
    ),
  }),
});

export const shopifyVectors = ShopifyVectorsSchema.parse(readVector("shopify-webhook.json"));
export const sendgridVectors = SendgridVectorsSchema.parse(
  readVector("sendgrid-event-webhook.json"),
);

/** The Shopify vector orders, by name. */
export const vectorOrders = {
  order450789469: shopifyVectors.order_payload.order_get_450789469.order,
  order1073459975: shopifyVectors.order_payload.order_create_1073459975.response_order,
};
