import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { mkdir, open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { SaltSchema } from "../../core/privacy/salted-key.js";
import { PRIVACY_SALT_ENV } from "../../core/privacy/suppression-source.js";

/** Beside the lake, never in it: the salt must not travel with the suppression list. */
export const LOCAL_SALT_FILE = "privacy-salt";

/**
 * The privacy salt of a local deployment: `UNISTACK_PRIVACY_SALT` when set, otherwise the one in
 * `<dir>/privacy-salt`, created (32 random bytes, hex, mode 0600) the first time it is needed.
 * It never changes afterwards: the suppression list is only readable with the salt that made it.
 */
export async function localPrivacySalt(
  dir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<string> {
  const configured = env[PRIVACY_SALT_ENV];
  if (configured !== undefined && configured !== "") {
    const parsed = SaltSchema.safeParse(configured);
    if (!parsed.success) throw new Error(`${PRIVACY_SALT_ENV}: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }
  const path = join(dir, LOCAL_SALT_FILE);
  try {
    return check(path, await readFile(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await mkdir(dir, { recursive: true });
  const salt = randomBytes(32).toString("hex");
  try {
    const handle = await open(
      path,
      constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY,
      0o600,
    );
    try {
      await handle.writeFile(`${salt}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return salt;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return check(path, await readFile(path, "utf8"));
  }
}

function check(path: string, text: string): string {
  const parsed = SaltSchema.safeParse(text.trim());
  if (!parsed.success) {
    throw new Error(
      `${path} does not hold a privacy salt (${parsed.error.issues[0]?.message}): restore it from a backup; without it the suppression list cannot be read`,
    );
  }
  return parsed.data;
}
