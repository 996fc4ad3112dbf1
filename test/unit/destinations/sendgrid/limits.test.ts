import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  requestsOf,
  sendgridClientOptionsFromEnv,
} from "../../../../functions/destinations/sendgrid/client.js";
import {
  type SendgridSandbox,
  startSendgridSandbox,
} from "../../../../functions/destinations/sendgrid/sandbox.js";

const LIST = "0b7a4e0e-6c53-4b2e-a5a5-2d1f0b1e9f10";
const contacts = (n: number, extra = "") =>
  Array.from({ length: n }, (_, i) => ({ email: `p${i}@example.com`, first_name: extra }));

describe("SendGrid upsert limits (30,000 contacts or 6 MB per request)", () => {
  let sandbox: SendgridSandbox;
  beforeEach(async () => {
    sandbox = await startSendgridSandbox({ lists: [LIST], customFields: ["e1_T"] });
  });
  afterEach(async () => {
    await sandbox.close();
  });
  const put = (body: unknown) =>
    fetch(`${sandbox.baseUrl}/v3/marketing/contacts`, {
      method: "PUT",
      headers: { authorization: `Bearer ${sandbox.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("cuts 30,001 contacts into requests of 30,000 and 1", () => {
    expect(requestsOf(LIST, contacts(30_001)).map((r) => r.contacts.length)).toEqual([30_000, 1]);
  });

  it("cuts by size before 6 MB when contacts are large", () => {
    const parts = requestsOf(LIST, contacts(20_000, "x".repeat(400)));
    expect(parts.length).toBe(2);
    for (const part of parts) {
      expect(Buffer.byteLength(JSON.stringify(part))).toBeLessThanOrEqual(6 * 1024 * 1024);
    }
  });

  it("refuses 30,001 contacts and a body over 6 MB, takes 30,000", async () => {
    expect((await put({ list_ids: [LIST], contacts: contacts(30_001) })).status).toBe(400);
    expect(
      (await put({ list_ids: [LIST], contacts: contacts(20_000, "x".repeat(400)) })).status,
    ).toBe(413);
    expect((await put({ list_ids: [LIST], contacts: contacts(30_000) })).status).toBe(202);
    expect(sandbox.list(LIST)).toHaveLength(30_000);
  });

  it("refuses an unknown custom field and a contact without a valid email, naming the field", async () => {
    const unknown = await put({
      list_ids: [LIST],
      contacts: [{ email: "a@example.com", custom_fields: { e9_T: "x" } }],
    });
    expect(await unknown.json()).toEqual({
      errors: [{ field: "contacts[0].custom_fields.e9_T", message: "custom field does not exist" }],
    });
    const noEmail = await put({
      list_ids: [LIST],
      contacts: [{ email: "a@example.com" }, { email: "nope" }],
    });
    expect(noEmail.status).toBe(400);
    expect(sandbox.list(LIST)).toEqual([]);
  });
});

describe("activate-sendgrid's environment", () => {
  it("refuses to start without SENDGRID_API_KEY, naming it, and takes a sandbox base URL", () => {
    expect(() => sendgridClientOptionsFromEnv({})).toThrow(/set SENDGRID_API_KEY/);
    expect(
      sendgridClientOptionsFromEnv({
        SENDGRID_API_KEY: "SG.x",
        SENDGRID_BASE_URL: "http://127.0.0.1:9",
      }),
    ).toEqual({ apiKey: "SG.x", baseUrl: "http://127.0.0.1:9" });
  });
});
