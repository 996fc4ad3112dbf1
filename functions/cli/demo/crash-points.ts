/**
 * Deterministic kill points for the crash test (test/e2e/crash.test.ts): with
 * `UNISTACK_CRASH_AT=<point>` or `<point>:<n>` in the environment, the demo process kills itself
 * with SIGKILL the n-th time (default: the first) it reaches that point: no cleanup, no flush,
 * exactly what `kill -9` does. Without the variable every point is a no-op.
 */

export const CRASH_POINTS = {
  generate: "the run's webhooks are generated, nothing sent yet",
  landed: "a webhook batch is durable in the lake, its HTTP answer not sent yet",
  loaded: "a load job of the sweep committed, its ledger rows not written yet",
  model: "the Dataform graph is part-way (before the n-th action)",
  published: "an activation batch was published on the bus (the run is recorded as planned)",
  sent: "Meta accepted a batch, nothing of it recorded in ops yet",
  settled: "a batch outcome was recorded in ops",
  "before-commit": "the whole run is done, the demo state not yet saved",
} as const;
export type CrashPoint = keyof typeof CRASH_POINTS;

export type CrashHook = (point: CrashPoint) => void;

export function crashHookFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): CrashHook {
  const spec = env.UNISTACK_CRASH_AT?.trim();
  if (!spec) return () => undefined;
  const [name, nth] = spec.split(":");
  if (!name || !(name in CRASH_POINTS)) {
    throw new Error(
      `UNISTACK_CRASH_AT=${spec}: unknown crash point; use one of ${Object.keys(CRASH_POINTS).join(", ")} (optionally :<n>)`,
    );
  }
  const target = nth === undefined ? 1 : Number(nth);
  if (!Number.isInteger(target) || target < 1) {
    throw new Error(`UNISTACK_CRASH_AT=${spec}: the count after ':' is a whole number ≥ 1`);
  }
  let reached = 0;
  return (point) => {
    if (point !== name || ++reached !== target) return;
    process.kill(process.pid, "SIGKILL");
  };
}
