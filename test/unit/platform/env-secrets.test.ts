import { describe, expect, it } from "vitest";
import { createEnvSecrets } from "../../../functions/platform/env-secrets.js";

describe("secrets from the environment", () => {
  it("reads values once, at creation", () => {
    const env: Record<string, string> = { SHOPIFY_WEBHOOK_SECRET: "s1" };
    const secrets = createEnvSecrets(env);
    env.SHOPIFY_WEBHOOK_SECRET = "changed";
    expect(secrets.get("SHOPIFY_WEBHOOK_SECRET")).toBe("s1");
  });

  it("names the variable to set when a required secret is missing, and treats empty as missing", () => {
    const secrets = createEnvSecrets({ META_ACCESS_TOKEN: "" });
    expect(secrets.get("META_ACCESS_TOKEN")).toBeUndefined();
    expect(() => secrets.require("META_ACCESS_TOKEN")).toThrow(/export META_ACCESS_TOKEN=/);
  });
});
