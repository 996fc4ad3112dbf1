import type { File, Storage } from "@google-cloud/storage";
import { contentTypeOf } from "../content-type.js";
import { assertValidObjectKey } from "../object-key.js";
import type { ObjectStore, PutOptions, PutResult, StoredObject } from "../ports.js";

/**
 * Cloud Storage adapter. `ifAbsent` is a `ifGenerationMatch: 0` precondition: GCS refuses the
 * write with 412 when the name exists, which is how a redelivered batch lands once. That answer
 * is final: the adapter does not read the existing object back, so an identity that may only
 * create objects (the ingest service's) can land batches without any read on the lake.
 */
export function createGcsObjectStore(options: { storage: Storage; bucket: string }): ObjectStore {
  const bucket = options.storage.bucket(options.bucket);
  const describe = (file: File): StoredObject => ({
    key: file.name,
    size: Number(file.metadata.size ?? 0),
    generation: String(file.metadata.generation ?? ""),
    contentType: file.metadata.contentType ?? "application/octet-stream",
  });

  return {
    location: `gs://${options.bucket}`,

    async put(
      key: string,
      body: Uint8Array | string,
      putOptions: PutOptions = {},
    ): Promise<PutResult> {
      assertValidObjectKey(key);
      const file = bucket.file(key);
      try {
        await file.save(typeof body === "string" ? body : Buffer.from(body), {
          resumable: false,
          contentType: putOptions.contentType ?? contentTypeOf(key),
          ...(putOptions.ifAbsent ? { preconditionOpts: { ifGenerationMatch: 0 } } : {}),
        });
      } catch (error) {
        if (putOptions.ifAbsent && statusOf(error) === 412) return { created: false, key };
        throw error;
      }
      // The upload's response is the new object's resource: no read needed for its generation.
      return { created: true, object: describe(file) };
    },

    async get(key: string): Promise<Uint8Array | undefined> {
      assertValidObjectKey(key);
      try {
        const [contents] = await bucket.file(key).download();
        return contents;
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },

    async stat(key: string): Promise<StoredObject | undefined> {
      assertValidObjectKey(key);
      const file = bucket.file(key);
      try {
        const [metadata] = await file.getMetadata();
        file.metadata = metadata;
        return describe(file);
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },

    async list(prefix: string): Promise<StoredObject[]> {
      const [files] = await bucket.getFiles({ prefix, autoPaginate: true });
      return files.map(describe).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },

    async delete(key: string): Promise<void> {
      assertValidObjectKey(key);
      await bucket.file(key).delete({ ignoreNotFound: true });
    },

    uriOf(key: string): string {
      return `gs://${options.bucket}/${key}`;
    },
  };
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "number" ? code : undefined;
}
