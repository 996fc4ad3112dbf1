import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { freePort } from "./external-tools.js";

/**
 * fake-gcs-server (github.com/fsouza/fake-gcs-server) on a free loopback port, in memory, with
 * one bucket. `@google-cloud/storage` talks to it when `STORAGE_EMULATOR_HOST` is its `url`.
 */
export interface FakeGcs {
  /** `http://127.0.0.1:<port>`: the value of `STORAGE_EMULATOR_HOST`. */
  readonly url: string;
  readonly bucket: string;
  /** Every object's name, sorted. */
  list(): Promise<string[]>;
  /** An object's bytes. */
  read(name: string): Promise<Buffer>;
  stop(): Promise<void>;
}

export async function startFakeGcs(binary: string, bucket: string): Promise<FakeGcs> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      "-scheme",
      "http",
      "-host",
      "127.0.0.1",
      "-port",
      String(port),
      "-backend",
      "memory",
      "-public-host",
      `127.0.0.1:${port}`,
      "-external-url",
      url,
      "-log-level",
      "error",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`fake-gcs-server exited: ${stderr}`);
    try {
      const created = await fetch(`${url}/storage/v1/b?project=unistack-test`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: bucket }),
      });
      if (created.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`fake-gcs-server did not start: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const objects = `${url}/storage/v1/b/${encodeURIComponent(bucket)}/o`;
  return {
    url,
    bucket,
    async list() {
      const names: string[] = [];
      let pageToken: string | undefined;
      do {
        const page = (await (
          await fetch(`${objects}${pageToken ? `?pageToken=${encodeURIComponent(pageToken)}` : ""}`)
        ).json()) as { items?: { name: string }[]; nextPageToken?: string };
        names.push(...(page.items ?? []).map((item) => item.name));
        pageToken = page.nextPageToken;
      } while (pageToken);
      return names.sort();
    },
    async read(name) {
      const response = await fetch(`${objects}/${encodeURIComponent(name)}?alt=media`);
      if (!response.ok) throw new Error(`no object ${name} (${response.status})`);
      return Buffer.from(await response.arrayBuffer());
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}
