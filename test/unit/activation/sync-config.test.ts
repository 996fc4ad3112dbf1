import { describe, expect, it } from "vitest";
import {
  parseSyncConfig,
  type SyncConfigInput,
} from "../../../functions/core/activation/sync-config.js";

/**
 * A sync definition is operator input that ends up in object keys (the id) and in SQL as
 * identifiers (the segment's dataset and table): every pattern must hold for the whole value.
 */

const valid: SyncConfigInput = {
  id: "meta_recent_purchasers",
  segment: { dataset: "marts", table: "seg_recent_purchasers" },
  destination: "meta",
  audienceId: "23850000000000042",
  requiredConsent: ["ad_user_data"],
};

const parse = (change: Record<string, unknown>) => () => parseSyncConfig({ ...valid, ...change });

describe("parseSyncConfig", () => {
  it("fills in the membership mode and Meta's maximum batch size", () => {
    expect(parseSyncConfig(valid)).toEqual({
      ...valid,
      mode: "membership",
      batchSize: 10_000,
      identifiers: ["email"],
      columns: {},
      suppressionDays: 7,
    });
  });

  it.each([
    ["an upper-case letter", "Meta_recent"],
    ["a path", "meta/../recent"],
    ["a space", "meta recent"],
    ["a leading dash", "-meta"],
    ["a leading underscore", "_meta"],
    ["a trailing newline", "meta\n"],
    ["a dot", "meta.recent"],
    ["64 characters", `m${"x".repeat(63)}`],
    ["nothing", ""],
  ])("refuses a sync id with %s", (_name, id) => {
    expect(parse({ id })).toThrow(
      "invalid sync configuration: id: use lower-case letters, digits, _ and -",
    );
  });

  it("accepts a sync id of 63 lower-case letters, digits, _ and -", () => {
    const id = `0${"a-_9".repeat(15)}ab`;
    expect(id).toHaveLength(63);
    expect(parseSyncConfig({ ...valid, id }).id).toBe(id);
  });

  it.each([
    ["SQL after the name", "marts; DROP TABLE x"],
    ["a backtick", "marts`"],
    ["a leading digit", "1marts"],
    ["a dash", "my-marts"],
    ["a trailing space", "marts "],
  ])("refuses a segment dataset with %s, naming the field", (_name, dataset) => {
    expect(parse({ segment: { ...valid.segment, dataset } })).toThrow(
      "invalid sync configuration: segment.dataset: use letters, digits and underscores only",
    );
  });

  it("refuses a segment table that is not a plain identifier", () => {
    expect(parse({ segment: { ...valid.segment, table: "seg x" } })).toThrow(
      "segment.table: use letters, digits and underscores only",
    );
  });

  it("accepts identifiers of letters, digits and underscores starting with a letter or _", () => {
    const segment = { dataset: "_Marts2", table: "Seg_recent_1" };
    expect(parseSyncConfig({ ...valid, segment }).segment).toEqual(segment);
  });

  it.each([
    ["act_ prefix", "act_23850000000000042"],
    ["a suffix", "42x"],
    ["nothing", ""],
  ])("refuses an audience id with %s", (_name, audienceId) => {
    expect(parse({ audienceId })).toThrow("audienceId: a Meta audience id is numeric");
  });

  it("never assumes consent: at least one purpose must be named", () => {
    expect(parse({ requiredConsent: [] })).toThrow(
      "requiredConsent: name at least one consent purpose, e.g. ad_user_data",
    );
    expect(parse({ requiredConsent: ["newsletter"] })).toThrow("requiredConsent.0");
  });

  it("keeps each required purpose once", () => {
    const config = parseSyncConfig({
      ...valid,
      requiredConsent: ["ad_user_data", "ad_personalization", "ad_user_data"],
    });
    expect(config.requiredConsent).toEqual(["ad_user_data", "ad_personalization"]);
  });

  it("takes batch sizes from 1 to 10,000 whole rows", () => {
    expect(parseSyncConfig({ ...valid, batchSize: 1 }).batchSize).toBe(1);
    expect(parseSyncConfig({ ...valid, batchSize: 10_000 }).batchSize).toBe(10_000);
    expect(parse({ batchSize: 0 })).toThrow("batchSize");
    expect(parse({ batchSize: 10_001 })).toThrow("batchSize");
    expect(parse({ batchSize: 2.5 })).toThrow("batchSize");
  });

  it("names every problem at once, and the whole sync when it is not an object", () => {
    expect(parse({ id: "X", audienceId: "x" })).toThrow(/id: .*; audienceId: /);
    expect(() => parseSyncConfig("meta")).toThrow(/^invalid sync configuration: sync: /);
  });

  it("accepts the membership mode when it is named", () => {
    expect(parseSyncConfig({ ...valid, mode: "membership" }).mode).toBe("membership");
  });

  it("refuses another destination or mode", () => {
    expect(parse({ destination: "google" })).toThrow("destination");
    expect(parse({ mode: "mirror" })).toThrow("mode");
  });
});
