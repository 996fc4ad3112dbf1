import { startFakeGcs } from "./emulators.js";

/**
 * fake-gcs-server (started by `emulators.ts`) with one bucket, and plain reads of what landed.
 * `@google-cloud/storage` talks to it when `STORAGE_EMULATOR_HOST` is its `url`.
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

export async function startFakeGcsLake(binary: string, bucket: string): Promise<FakeGcs> {
  const emulator = await startFakeGcs(binary);
  const url = emulator.url;
  const created = await fetch(`${url}/storage/v1/b?project=unistack-test`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: bucket }),
  });
  if (!created.ok) {
    await emulator.stop();
    throw new Error(`fake-gcs-server refused to create bucket ${bucket}: ${created.status}`);
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
    stop: () => emulator.stop(),
  };
}
