import { getFunction } from "@google-cloud/functions-framework/testing";
import { describe, expect, it } from "vitest";
import { FUNCTION_TARGETS } from "../../functions/index.js";
import { pubsubCloudEvent } from "../../functions/platform/cloudevents.js";

const dataformEvent = (terminalState: string) =>
  pubsubCloudEvent({
    project: "p",
    topic: "dataform-run-finished",
    messageId: "m-1",
    data: { jsonPayload: { terminalState, workflowInvocationId: "inv-1" } },
    publishTime: new Date("2026-11-23T10:00:00Z"),
  });

describe("deployed function targets", () => {
  it("registers every event-driven target the infrastructure deploys, without building a cloud client", () => {
    expect(Object.keys(FUNCTION_TARGETS).sort()).toEqual(
      [
        "activateGoogleAds",
        "activateHubspot",
        "activateMeta",
        "activateSendgrid",
        "loadRaw",
        "planActivation",
        "privacyRequests",
        "pull",
        "realtimePurchase",
      ].sort(),
    );
    for (const name of Object.keys(FUNCTION_TARGETS))
      expect(getFunction(name), name).toBeTypeOf("function");
  });

  it("serves no webhook through the functions-framework: ingest is the Cloud Run service", () => {
    expect(getFunction("ingestShopify")).toBeUndefined();
    expect(getFunction("ingestSendgrid")).toBeUndefined();
  });

  it("plans nothing when the Dataform run did not succeed", async () => {
    const plan = getFunction("planActivation") as (event: unknown) => Promise<void>;
    await expect(plan(dataformEvent("FAILED"))).resolves.toBeUndefined();
  });

  it("names the missing setting when a deployed function lacks its environment", async () => {
    const plan = getFunction("planActivation") as (event: unknown) => Promise<void>;
    await expect(plan(dataformEvent("SUCCEEDED"))).rejects.toThrow(
      /GOOGLE_CLOUD_PROJECT|UNISTACK_LAKE_BUCKET/,
    );
  });

  it("rejects a message on the run-finished topic that is not a Dataform log entry", async () => {
    const plan = getFunction("planActivation") as (event: unknown) => Promise<void>;
    const event = pubsubCloudEvent({
      project: "p",
      topic: "dataform-run-finished",
      messageId: "m-2",
      data: { hello: "world" },
      publishTime: new Date(),
    });
    await expect(plan(event)).rejects.toThrow(/not a Dataform log entry/);
  });

  it("names the missing setting when the loader is triggered without its environment", async () => {
    const load = getFunction("loadRaw") as (event: unknown) => Promise<void>;
    const event = pubsubCloudEvent({
      project: "p",
      topic: "load-raw-sweep",
      messageId: "m-3",
      data: { sweep: "scheduled" },
      publishTime: new Date(),
    });
    await expect(load(event)).rejects.toThrow(/GOOGLE_CLOUD_PROJECT|UNISTACK_LAKE_BUCKET/);
  });
});
