import { z } from "zod";
import type { MetaClientOptions } from "./client.js";

export const DEFAULT_META_API_VERSION = "v24.0";
export const DEFAULT_META_BASE_URL = "https://graph.facebook.com";

/** Meta client configuration, parsed once from the environment (docs/destinations.md). */
export const MetaClientConfigSchema = z.object({
  META_ACCESS_TOKEN: z
    .string({ error: "set META_ACCESS_TOKEN to a token with ads_management" })
    .min(1, "set META_ACCESS_TOKEN to a token with ads_management"),
  META_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, "META_API_VERSION looks like v24.0")
    .default(DEFAULT_META_API_VERSION),
  META_BASE_URL: z.url().default(DEFAULT_META_BASE_URL),
});

/** Builds the client from `META_*` variables (see docs/destinations.md). */
export function metaClientOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): Pick<MetaClientOptions, "accessToken" | "apiVersion" | "baseUrl"> {
  const parsed = MetaClientConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Meta client configuration is invalid: ${issues.join("; ")}`);
  }
  return {
    accessToken: parsed.data.META_ACCESS_TOKEN,
    apiVersion: parsed.data.META_API_VERSION,
    baseUrl: parsed.data.META_BASE_URL,
  };
}
