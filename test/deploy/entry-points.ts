import type { ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

/** Helpers for starting the staged entry points the way the platforms start them. */

/** The functions-framework's own CLI in a staged install (what the functions buildpack runs). */
export async function frameworkBin(stage: string): Promise<string> {
  const dir = join(stage, "node_modules", "@google-cloud", "functions-framework");
  const { bin } = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as {
    bin: Record<string, string>;
  };
  return join(dir, bin["functions-framework"] as string);
}

/** Resolves with the first match of `pattern` in the child's output; rejects if it exits first. */
export function waitForOutput(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(pattern);
      if (match) resolve(match);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) =>
      reject(new Error(`exited with ${code} before ${pattern}:\n${output}`)),
    );
  });
}

/** Headers of a binary-mode Pub/Sub CloudEvent, as Eventarc delivers it. */
export function pubsubCloudEventHeaders(): Record<string, string> {
  return {
    "content-type": "application/json",
    "ce-specversion": "1.0",
    "ce-id": "test-1",
    "ce-source": "//pubsub.googleapis.com/projects/p/topics/dataform-run-finished",
    "ce-type": "google.cloud.pubsub.topic.v1.messagePublished",
  };
}

export function pubsubBody(data: unknown) {
  return {
    message: {
      data: Buffer.from(JSON.stringify(data)).toString("base64"),
      messageId: "1",
      publishTime: "2026-12-01T00:00:00.000Z",
    },
    subscription: "projects/p/subscriptions/dataform-run-finished-push",
  };
}

/** The ingest service's environment; the object store points where nothing listens. */
export function ingestEnv(port: number): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    PORT: String(port),
    GOOGLE_CLOUD_PROJECT: "unistack-test",
    UNISTACK_LAKE_BUCKET: "unistack-test-lake",
    SHOPIFY_WEBHOOK_SECRET: "staged-test-secret",
    // A forged webhook must be refused before any write; a write would fail here.
    STORAGE_EMULATOR_HOST: "http://127.0.0.1:9",
  };
}

/** A Shopify delivery whose HMAC was not made with the secret. */
export function forgedShopifyWebhook(baseUrl: string): Promise<Response> {
  return fetch(`${baseUrl}/webhooks/shopify`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-shopify-hmac-sha256": Buffer.alloc(32).toString("base64"),
      "x-shopify-topic": "orders/create",
      "x-shopify-webhook-id": "forged-1",
    },
    body: JSON.stringify({ id: 1 }),
  });
}

/** The first answer of `url`, polling until something listens. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`nothing answered ${url} in time: ${error}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Resolves once nothing listens at `url` any more. */
export async function waitForClosed(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1_000) });
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`${url} still answers`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
