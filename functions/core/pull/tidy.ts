import type { ObjectStore } from "../../platform/ports.js";
import {
  journalPrefix,
  type StreamRef,
  streamPrefix,
  windowDoneKey,
  windowKey,
} from "./journal.js";

/** Finished windows kept (with their markers) so an operator can see the recent history. */
const KEEP_WINDOWS = 3;

/**
 * After a window is done its journal is no longer needed (every page's objects are written), and
 * windows older than the last few only slow down listing. Removal is idempotent; a run killed
 * while tidying leaves work for the next.
 */
export async function tidyStream(
  store: ObjectStore,
  ref: StreamRef,
  doneSeq: number,
): Promise<void> {
  for (const object of await store.list(journalPrefix(ref, doneSeq)))
    await store.delete(object.key);
  const windows = await store.list(`${streamPrefix(ref)}windows/`);
  const old = new Set<number>();
  for (const object of windows) {
    const seq = Number(/(\d{10})(\.done)?\.json$/.exec(object.key)?.[1]);
    if (Number.isSafeInteger(seq) && seq <= doneSeq - KEEP_WINDOWS) old.add(seq);
  }
  for (const seq of old) {
    for (const object of await store.list(journalPrefix(ref, seq))) await store.delete(object.key);
    // The done marker goes last: a window without it would look unfinished.
    await store.delete(windowKey(ref, seq));
    await store.delete(windowDoneKey(ref, seq));
  }
}
