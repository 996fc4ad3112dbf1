import { randomBytes } from "node:crypto";
import { type BigIntStats, constants } from "node:fs";
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { contentTypeOf } from "../content-type.js";
import { assertValidObjectKey, invalidObjectKey } from "../object-key.js";
import type { ObjectStore, PutOptions, PutResult, StoredObject } from "../ports.js";

export interface FsObjectStoreOptions {
  /** Folder that plays the bucket. Created when missing. */
  readonly root: string;
  /** Called after an object is durably written, like GCS's "object finalized" event. */
  readonly onFinalized?: (object: StoredObject) => Promise<void> | void;
}

const TMP_DIR = ".tmp";

/**
 * The local object store: a folder on disk. Writes go to a temporary file that is fsync'ed and
 * then linked (create-if-absent) or renamed (overwrite) into place, so a reader never sees half
 * an object and `ifAbsent` is atomic like GCS's `ifGenerationMatch: 0`.
 */
export function createFsObjectStore(options: FsObjectStoreOptions): ObjectStore {
  const root = resolve(options.root);

  const pathOf = (key: string): string => {
    assertValidKey(key);
    return join(root, ...key.split("/"));
  };

  const describe = async (key: string): Promise<StoredObject | undefined> => {
    try {
      const info = await stat(pathOf(key), { bigint: true });
      return info.isFile() ? objectOf(key, info) : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };

  // Folders known to exist: a webhook burst writes thousands of objects into a few folders.
  const madeDirs = new Set<string>();
  const ensureDir = async (dir: string): Promise<void> => {
    if (madeDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    madeDirs.add(dir);
  };

  return {
    location: root,

    async put(
      key: string,
      body: Uint8Array | string,
      putOptions: PutOptions = {},
    ): Promise<PutResult> {
      const target = pathOf(key);
      await ensureDir(join(root, TMP_DIR));
      await ensureDir(dirname(target));
      const tmp = join(root, TMP_DIR, `${randomBytes(8).toString("hex")}.part`);
      const handle = await open(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY);
      let info: BigIntStats;
      try {
        await handle.writeFile(body);
        await handle.sync();
        info = await handle.stat({ bigint: true });
      } finally {
        await handle.close();
      }
      let created = true;
      if (putOptions.ifAbsent) {
        try {
          await link(tmp, target);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
          created = false;
        } finally {
          await unlink(tmp);
        }
      } else {
        await rename(tmp, target);
      }
      if (!created) return { created: false, key };
      // A hard link or a rename keeps the inode, so the temp file's stats are the object's.
      const object = objectOf(key, info);
      await options.onFinalized?.(object);
      return { created: true, object };
    },

    async get(key: string): Promise<Uint8Array | undefined> {
      try {
        return await readFile(pathOf(key));
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    stat: describe,

    async list(prefix: string): Promise<StoredObject[]> {
      const slash = prefix.lastIndexOf("/");
      const base = slash >= 0 ? prefix.slice(0, slash) : "";
      const keys = await walk(root, base ? join(root, ...base.split("/")) : root);
      const objects: StoredObject[] = [];
      for (const key of keys.filter((k) => k.startsWith(prefix)).sort()) {
        const object = await describe(key);
        if (object) objects.push(object);
      }
      return objects;
    },

    async delete(key: string): Promise<void> {
      await rm(pathOf(key), { force: true });
    },

    uriOf(key: string): string {
      return pathOf(key);
    },
  };
}

async function walk(root: string, dir: string): Promise<string[]> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  const keys: string[] = [];
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (dir === root && entry.name === TMP_DIR) continue;
      keys.push(...(await walk(root, full)));
    } else if (entry.isFile()) {
      keys.push(relative(root, full).split(sep).join("/"));
    }
  }
  return keys;
}

function assertValidKey(key: string): void {
  assertValidObjectKey(key);
  if (key.startsWith(`${TMP_DIR}/`)) throw invalidObjectKey(key);
}

function objectOf(key: string, info: BigIntStats): StoredObject {
  return {
    key,
    size: Number(info.size),
    generation: String(info.mtimeNs * 1000n + (info.ino % 1000n)),
    contentType: contentTypeOf(key),
  };
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}
