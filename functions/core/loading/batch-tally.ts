/** What the batches of one sweep did, and what they left. */

export interface FailedFile {
  readonly key: string;
  readonly generation: string;
  readonly jobId: string;
  readonly reason: string;
}

/** What the batches of one sweep did; each batch adds to it. */
export interface BatchTally {
  loadedFiles: number;
  rows: number;
  /** Files an earlier run had loaded whose ledger rows this sweep wrote (a crash in between). */
  recordedFiles: number;
  jobs: number;
  splits: number;
  readonly failed: FailedFile[];
  /** `key#generation` of every file loaded, recorded or failed in this sweep. */
  readonly settled: Set<string>;
  /** Files left in manifests for a later sweep, by why. */
  readonly left: { stopped: number; deferred: number; retryLater: number };
  readonly problems: string[];
}

export function emptyTally(): BatchTally {
  return {
    loadedFiles: 0,
    rows: 0,
    recordedFiles: 0,
    jobs: 0,
    splits: 0,
    failed: [],
    settled: new Set(),
    left: { stopped: 0, deferred: 0, retryLater: 0 },
    problems: [],
  };
}
