/**
 * `npm run bench:realtime`: the real-time path at a fixed scale. N prospects (BENCH_ORDERS,
 * default 1,000) are put in a Meta and a Google Ads retargeting audience by the batch path, then
 * each of them buys: a signed Shopify orders/create goes to the local ingest HTTP server at a fixed
 * rate (BENCH_RATE orders/s, default 50), is landed in the lake, announced on the in-process bus,
 * and the realtime function removes the purchaser from both sandboxes. Latency per order = from
 * the webhook POST to the moment both sandboxes had answered the remove. Prints p50/p95/p99 and
 * the audiences' sizes before and after; asserts nothing.
 */
import { PURCHASES_TOPIC } from "../functions/core/realtime/purchase-message.js";
import { handleRealtimePurchase } from "../functions/handlers/realtime-purchase.js";
import {
  GOOGLE_LIST,
  META_AUDIENCE,
  orderBody,
  startRealtimeStack,
} from "../test/support/realtime-stack.js";

const orders = Number(process.env.BENCH_ORDERS ?? 1_000);
const rate = Number(process.env.BENCH_RATE ?? 50);

const stack = await startRealtimeStack({ subscribe: false });
const people = Array.from({ length: orders }, (_, i) => ({
  id: `c-${i}`,
  email: `buyer${i}@example.com`,
}));
await stack.setSegment(people);
let t = performance.now();
await stack.plan();
const list = `${GOOGLE_LIST.customerId}/${GOOGLE_LIST.audienceId}`;
console.log(
  `seeded by the batch path in ${((performance.now() - t) / 1000).toFixed(1)} s: Meta ${stack.meta.members(META_AUDIENCE).length}, Google ${stack.google.members(list).length} members`,
);

const sentAt = new Map<string, number>();
const latencies: number[] = [];
stack.bus.subscribe(PURCHASES_TOPIC, async (event) => {
  const outcome = await handleRealtimePurchase(stack.deps, event);
  const done = performance.now();
  for (const orderKey of new Set(outcome.results.map((r) => r.orderKey))) {
    const start = sentAt.get(orderKey);
    const ok = outcome.results.every((r) => r.orderKey !== orderKey || r.outcome === "removed");
    if (start !== undefined && ok) latencies.push(done - start);
  }
});

t = performance.now();
const posts: Promise<number>[] = [];
for (let i = 0; i < orders; i++) {
  const due = t + (i * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  sentAt.set(`shopify:order:${5_000_000_000_000_000n + BigInt(i)}`, performance.now());
  posts.push(stack.postOrder(orderBody(i, people[i] ?? { email: "x@example.com" })));
}
const statuses = await Promise.all(posts);
await stack.bus.drain();
const wall = (performance.now() - t) / 1000;

latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ??
  Number.NaN;
console.log(
  `\n${orders.toLocaleString("en")} orders at ${rate}/s through HTTP ingest → lake → bus → realtime-purchase → Meta + Google sandboxes (${wall.toFixed(1)} s wall)`,
);
console.log("| p50 | p95 | p99 | max | non-2xx webhooks | orders not removed everywhere |");
console.log("|---|---|---|---|---|---|");
console.log(
  `| ${pct(50).toFixed(0)} ms | ${pct(95).toFixed(0)} ms | ${pct(99).toFixed(0)} ms | ${(latencies.at(-1) ?? Number.NaN).toFixed(0)} ms | ${statuses.filter((s) => s !== 200).length} | ${orders - latencies.length} |`,
);
console.log(
  `audiences after: Meta ${stack.meta.members(META_AUDIENCE).length}, Google ${stack.google.members(list).length} members; dead letters ${stack.bus.deadLetters.length}`,
);
await stack.close();
