/**
 * A rolling-window pacer: at most `max` takes in any `windowMs`. HubSpot counts requests per
 * rolling window (100 per 10 s for a private app, 5 per second for search), so a client that
 * paces itself this way gets no 429 in normal operation; a 429 is still handled by the retry loop.
 */
export interface RateWindow {
  take(): Promise<void>;
}

export function createRateWindow(
  max: number,
  windowMs: number,
  clock: { now(): number; sleep(ms: number): Promise<void> },
): RateWindow {
  const taken: number[] = [];
  let queue: Promise<void> = Promise.resolve();
  const takeNow = async (): Promise<void> => {
    for (;;) {
      const now = clock.now();
      while (taken.length > 0 && (taken[0] ?? 0) <= now - windowMs) taken.shift();
      if (taken.length < max) {
        taken.push(now);
        return;
      }
      await clock.sleep((taken[0] ?? now) + windowMs - now);
    }
  };
  return {
    take() {
      const next = queue.then(takeNow);
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
