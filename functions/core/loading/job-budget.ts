import type { ObjectStore } from "../../platform/ports.js";

/**
 * BigQuery allows 1,500 load jobs per table per day, failed ones included. The sweep records each
 * job it starts as an empty object `loads/job-budget/<table>/<hour>/<job id>` (created before the
 * job, create-if-absent: a crash can only over-count, and a job resubmitted under the same id
 * counts once) and starts none beyond the budget of the last 24 hours: files then wait for a later
 * sweep instead of failing on `quotaExceeded`. One object per job rather than a counter rewritten
 * per job, because GCS allows about one update per second to the same object name.
 */

export const BUDGET_PREFIX = "loads/job-budget/";

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

export interface JobBudget {
  /** Records one job for the table; `false` (nothing recorded) when its 24 hours are used up. */
  take(table: string, jobId: string): Promise<boolean>;
}

export function createJobBudget(input: {
  store: ObjectStore;
  now: () => Date;
  /** Jobs per table per 24 h; `Infinity` turns counting off (the local warehouse has no quota). */
  perTablePerDay: number;
}): JobBudget {
  const counted = new Map<string, Set<string>>();
  const hourOf = (d: Date) => d.toISOString().slice(0, 13);
  // An hour counts while any part of it lies within the last 24 hours.
  const recent = (hour: string) =>
    Date.parse(`${hour}:00:00Z`) + HOUR_MS > input.now().getTime() - DAY_MS;

  /** The table's jobs of the last 24 hours; older records are removed on the way. */
  const load = async (table: string): Promise<Set<string>> => {
    const known = counted.get(table);
    if (known) return known;
    const jobs = new Set<string>();
    for (const object of await input.store.list(`${BUDGET_PREFIX}${table}/`)) {
      const [hour, jobId] = object.key.slice(BUDGET_PREFIX.length + table.length + 1).split("/");
      if (!hour || !jobId) continue;
      if (recent(hour)) jobs.add(jobId);
      else await input.store.delete(object.key);
    }
    counted.set(table, jobs);
    return jobs;
  };

  return {
    async take(table, jobId) {
      if (!Number.isFinite(input.perTablePerDay)) return true;
      const jobs = await load(table);
      if (jobs.has(jobId)) return true;
      if (jobs.size >= input.perTablePerDay) return false;
      await input.store.put(`${BUDGET_PREFIX}${table}/${hourOf(input.now())}/${jobId}`, "", {
        ifAbsent: true,
        contentType: "text/plain",
      });
      jobs.add(jobId);
      return true;
    },
  };
}
