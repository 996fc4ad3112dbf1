/** The content type an object gets from its key, alike on GCS and in the local folder. */
export function contentTypeOf(key: string): string {
  if (key.endsWith(".ndjson")) return "application/x-ndjson";
  if (key.endsWith(".json")) return "application/json";
  return "application/octet-stream";
}
