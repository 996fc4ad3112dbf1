import { describe, expect, it } from "vitest";
import { CLOUD_SWEEP } from "../../../functions/core/loading/sweep-config.js";
import {
  loadSweepConfig,
  rawStreamsOf,
  SweepMessageSchema,
} from "../../../functions/handlers/load-raw.js";

describe("the loader's deployment settings", () => {
  it("are the cloud defaults when nothing is set: 2 days back, a sweep at most every 2 minutes, 1,400 jobs per table", () => {
    expect(loadSweepConfig({})).toEqual({
      ...CLOUD_SWEEP,
      lookbackDays: 2,
      minIntervalMs: 120_000,
      jobsPerTablePerDay: 1_400,
    });
  });

  it("take each override from the environment, at the edges of what is allowed", () => {
    expect(
      loadSweepConfig({
        UNISTACK_LOAD_LOOKBACK_DAYS: "31",
        UNISTACK_LOAD_MIN_INTERVAL_SECONDS: "0",
        UNISTACK_LOAD_JOBS_PER_TABLE_PER_DAY: "1500",
      }),
    ).toMatchObject({ lookbackDays: 31, minIntervalMs: 0, jobsPerTablePerDay: 1_500 });
    expect(
      loadSweepConfig({
        UNISTACK_LOAD_LOOKBACK_DAYS: "0",
        UNISTACK_LOAD_MIN_INTERVAL_SECONDS: "45",
        UNISTACK_LOAD_JOBS_PER_TABLE_PER_DAY: "1",
      }),
    ).toMatchObject({ lookbackDays: 0, minIntervalMs: 45_000, jobsPerTablePerDay: 1 });
  });

  it.each([
    ["UNISTACK_LOAD_LOOKBACK_DAYS", "32"],
    ["UNISTACK_LOAD_LOOKBACK_DAYS", "-1"],
    ["UNISTACK_LOAD_LOOKBACK_DAYS", "1.5"],
    ["UNISTACK_LOAD_MIN_INTERVAL_SECONDS", "-1"],
    ["UNISTACK_LOAD_MIN_INTERVAL_SECONDS", "0.5"],
    ["UNISTACK_LOAD_JOBS_PER_TABLE_PER_DAY", "0"],
    ["UNISTACK_LOAD_JOBS_PER_TABLE_PER_DAY", "1501"],
    ["UNISTACK_LOAD_JOBS_PER_TABLE_PER_DAY", "2.5"],
    ["UNISTACK_LOAD_JOBS_PER_TABLE_PER_DAY", "many"],
  ])("refuse %s=%s and name the setting", (name, value) => {
    expect(() => loadSweepConfig({ [name]: value })).toThrow(
      new RegExp(`^invalid loader environment: ${name}: .+`),
    );
  });

  it("list every problem at once, separated by semicolons", () => {
    expect(() =>
      loadSweepConfig({
        UNISTACK_LOAD_LOOKBACK_DAYS: "99",
        UNISTACK_LOAD_JOBS_PER_TABLE_PER_DAY: "0",
      }),
    ).toThrow(
      /^invalid loader environment: UNISTACK_LOAD_LOOKBACK_DAYS: [^;]+; UNISTACK_LOAD_JOBS_PER_TABLE_PER_DAY: .+$/,
    );
  });
});

describe("the streams a recent sweep lists", () => {
  it("are every (source, stream) of the registered sources once, in order, also when pushed and pulled", () => {
    expect(
      rawStreamsOf([
        { name: "shopify", streams: { orders: {}, customers: {} } },
        { name: "sendgrid", streams: { events: {} } },
        { name: "shopify", streams: { orders: {}, products: {} } },
        { name: "hubspot", streams: { orders: {} } },
      ] as unknown as Parameters<typeof rawStreamsOf>[0]),
    ).toEqual([
      { source: "shopify", stream: "orders" },
      { source: "shopify", stream: "customers" },
      { source: "sendgrid", stream: "events" },
      { source: "shopify", stream: "products" },
      { source: "hubspot", stream: "orders" },
    ]);
  });
});

describe("the scheduler's sweep message", () => {
  it("is {sweep: scheduled} or {sweep: deep}, nothing else", () => {
    expect(SweepMessageSchema.safeParse({ sweep: "scheduled" }).success).toBe(true);
    expect(SweepMessageSchema.safeParse({ sweep: "deep" }).success).toBe(true);
    expect(SweepMessageSchema.safeParse({ sweep: "all" }).success).toBe(false);
    expect(SweepMessageSchema.safeParse({}).success).toBe(false);
  });
});
