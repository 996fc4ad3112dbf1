import { z } from "zod";
import type { ObjectStore } from "../../platform/ports.js";
import { parseJsonBytes } from "./json-bytes.js";

/**
 * BigQuery allows 1,500 load jobs per table per day, failed ones included. The sweep counts the
 * jobs it starts per table in an object (hours of the last 24 h → jobs) and starts none beyond
 * its budget: files then wait for the next window instead of failing on `quotaExceeded`. A count
 * is written before its job starts, so a crash can only over-count. Only the lease holder writes.
 */

export const BUDGET_PREFIX = "loads/job-budget/";

const CounterSchema = z.object({ hours: z.record(z.string(), z.number().int().nonnegative()) });

const DAY_MS = 24 * 60 * 60 * 1000;

export interface JobBudget {
  /** Takes one job for the table; `false` when its last 24 hours are used up. */
  take(table: string): Promise<boolean>;
  /** Jobs started in the last 24 hours per table this sweep has looked at. */
  used(): Readonly<Record<string, number>>;
}

export function createJobBudget(input: {
  store: ObjectStore;
  now: () => Date;
  /** Jobs per table per 24 h; `Infinity` turns counting off (the local warehouse has no quota). */
  perTablePerDay: number;
}): JobBudget {
  const counters = new Map<string, Record<string, number>>();
  const keyOf = (table: string) => `${BUDGET_PREFIX}${table}.json`;
  const hourOf = (d: Date) => d.toISOString().slice(0, 13);

  const load = async (table: string): Promise<Record<string, number>> => {
    const known = counters.get(table);
    if (known) return known;
    const bytes = await input.store.get(keyOf(table));
    let hours: Record<string, number> = {};
    if (bytes) {
      const parsed = CounterSchema.safeParse(parseJsonBytes(bytes));
      // An unreadable counter is treated as full for this hour rather than as empty.
      hours = parsed.success ? parsed.data.hours : { [hourOf(input.now())]: input.perTablePerDay };
    }
    counters.set(table, hours);
    return hours;
  };

  const recent = (hours: Record<string, number>): Record<string, number> => {
    const since = input.now().getTime() - DAY_MS;
    const kept: Record<string, number> = {};
    for (const [hour, n] of Object.entries(hours)) {
      if (Date.parse(`${hour}:00:00Z`) + 60 * 60 * 1000 > since) kept[hour] = n;
    }
    return kept;
  };
  const total = (hours: Record<string, number>) =>
    Object.values(recent(hours)).reduce((a, b) => a + b, 0);

  return {
    async take(table) {
      if (!Number.isFinite(input.perTablePerDay)) return true;
      const hours = recent(await load(table));
      if (total(hours) >= input.perTablePerDay) {
        counters.set(table, hours);
        return false;
      }
      const hour = hourOf(input.now());
      hours[hour] = (hours[hour] ?? 0) + 1;
      counters.set(table, hours);
      await input.store.put(keyOf(table), JSON.stringify({ hours }), {
        contentType: "application/json",
      });
      return true;
    },
    used() {
      const out: Record<string, number> = {};
      for (const [table, hours] of counters) out[table] = total(hours);
      return out;
    },
  };
}
