import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VECTORS_DIR, vectorFile } from "./vectors-dir.js";

describe("the vendor vectors in the repository", () => {
  const files = readdirSync(VECTORS_DIR).filter((name) => name.endsWith(".json"));

  it("holds every vendor's vector file", () => {
    expect(files.sort()).toEqual([
      "ga4-export-sample.json",
      "google-customer-match-normalization.json",
      "hubspot-webhook.json",
      "meta-normalization.json",
      "sendgrid-event-webhook.json",
      "shopify-webhook.json",
      "zoom-webhook.json",
    ]);
  });

  it.each(files)("%s names where it was copied from", (name) => {
    const parsed = JSON.parse(readFileSync(vectorFile(name), "utf8")) as {
      source?: unknown;
      collected_note?: unknown;
    };
    const sources = Array.isArray(parsed.source) ? parsed.source : [parsed.source];
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources as Record<string, unknown>[]) {
      const cited =
        (typeof source.repo === "string" && typeof source.path === "string") ||
        typeof source.url === "string";
      expect(cited, JSON.stringify(source)).toBe(true);
    }
    expect(typeof parsed.collected_note).toBe("string");
  });
});
