/**
 * Object keys both stores accept: relative, `/`-separated, no empty, `.` or `..` segment. GCS
 * itself would take `../outside` as a literal name; refusing it alike everywhere keeps a key that
 * escapes the local folder from ever being written anywhere.
 */
export function assertValidObjectKey(key: string): void {
  if (
    key.length === 0 ||
    key.startsWith("/") ||
    key.split("/").some((part) => part === "" || part === "." || part === "..")
  ) {
    throw invalidObjectKey(key);
  }
}

export function invalidObjectKey(key: string): Error {
  return new Error(
    `invalid object key "${key}": use a relative path like raw/source/stream/file.ndjson`,
  );
}
