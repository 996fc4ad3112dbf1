import { z } from "zod";

/**
 * Wire formats of Meta's Custom Audience users edge, `POST|DELETE /{version}/{audience_id}/users`
 * (developers.facebook.com/docs/marketing-api/reference/custom-audience/users). The client
 * parses every answer with these; the local sandbox parses every request with them.
 */

/** Meta takes at most this many rows per request. */
export const MAX_USERS_PER_REQUEST = 10_000;

/** The single-key schemas: a flat `data` array of SHA-256 hex values. */
export const SINGLE_KEY_SCHEMAS = ["EMAIL_SHA256", "EMAIL", "PHONE_SHA256", "PHONE"] as const;
export type SingleKeySchema = (typeof SINGLE_KEY_SCHEMAS)[number];

/** Keys of a multi-key schema (`["EMAIL", "FN", "LN"]`): `data` rows are arrays in that order. */
export const MULTI_KEY_FIELDS = [
  "EXTERN_ID",
  "EMAIL",
  "PHONE",
  "GEN",
  "DOBY",
  "DOBM",
  "DOBD",
  "LN",
  "FN",
  "FI",
  "F5FIRST",
  "F5LAST",
  "CT",
  "ST",
  "ZIP",
  "MADID",
  "COUNTRY",
  "LOOKALIKE_VALUE",
] as const;

export const UsersPayloadSchema = z.object({
  schema: z.union([z.enum(SINGLE_KEY_SCHEMAS), z.array(z.enum(MULTI_KEY_FIELDS)).min(1)]),
  data: z.array(z.union([z.string(), z.array(z.union([z.string(), z.number()]))])).min(1),
  is_raw: z.boolean().optional(),
});
export type UsersPayload = z.infer<typeof UsersPayloadSchema>;

/** Tracks a multi-request upload: which batch this is and whether it is the last one. */
export const UploadSessionSchema = z.object({
  session_id: z
    .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
    .pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)),
  batch_seq: z.number().int().min(1),
  last_batch_flag: z.boolean(),
  estimated_num_total: z.number().int().min(0).optional(),
});
export type UploadSession = z.infer<typeof UploadSessionSchema>;

export const UsersRequestSchema = z.object({
  payload: UsersPayloadSchema,
  session: UploadSessionSchema.optional(),
});
export type UsersRequest = z.infer<typeof UsersRequestSchema>;

/** Success answer: how many rows Meta received and how many it could not use. */
export const UsersResponseSchema = z.object({
  audience_id: z.union([z.string(), z.number()]).transform(String).optional(),
  session_id: z.union([z.string(), z.number()]).transform(String).optional(),
  num_received: z.number().int().min(0),
  num_invalid_entries: z.number().int().min(0),
  /** A sample of the refused values (value → reason); never log it, it may hold personal data. */
  invalid_entry_samples: z
    .union([
      z.record(z.string(), z.string()),
      z.array(z.string()).transform((values) => Object.fromEntries(values.map((v) => [v, ""]))),
    ])
    .optional(),
});
export type UsersResponse = z.infer<typeof UsersResponseSchema>;

/** Graph API error answer (developers.facebook.com/docs/graph-api/guides/error-handling). */
export const GraphErrorSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string().optional(),
    code: z.number().int(),
    error_subcode: z.number().int().optional(),
    is_transient: z.boolean().optional(),
    error_user_title: z.string().optional(),
    error_user_msg: z.string().optional(),
    fbtrace_id: z.string().optional(),
  }),
});
export type GraphError = z.infer<typeof GraphErrorSchema>["error"];
