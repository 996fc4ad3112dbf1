import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const DIR = resolve(import.meta.dirname, "fixtures/vendor-api");

describe("the vendor API examples in the repository", () => {
  const files = readdirSync(DIR).filter((name) => name.endsWith(".json"));

  it.each(files)("%s names where each part was collected from", (name) => {
    const parsed = JSON.parse(readFileSync(resolve(DIR, name), "utf8")) as {
      source?: unknown;
      collected_note?: unknown;
    };
    const sources = Array.isArray(parsed.source) ? parsed.source : [parsed.source];
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources as Record<string, unknown>[]) {
      const cited =
        (typeof source.repo === "string" &&
          typeof source.path === "string" &&
          typeof source.commit === "string") ||
        typeof source.url === "string";
      expect(cited, JSON.stringify(source)).toBe(true);
    }
    expect(typeof parsed.collected_note).toBe("string");
  });
});
