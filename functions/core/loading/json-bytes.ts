/** Parses an object's bytes as JSON; `undefined` when they are not JSON (a damaged object). */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    return undefined;
  }
}
