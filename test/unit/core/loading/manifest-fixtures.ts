import type { LakeFile } from "../../../../functions/core/loading/manifest.js";

/** The i-th raw file of one table and day; its generation and size as a lake listing gives them. */
export const file = (i: number, size = 10): LakeFile => ({
  key: `raw/shopify/orders/dt=2026-12-01/f${String(i).padStart(3, "0")}.ndjson`,
  generation: String(1000 + i),
  size,
  dt: "2026-12-01",
});
export const at = new Date("2026-12-01T10:00:00Z");
export const limits = { maxFiles: 3, maxBytes: 1_000, maxManifestsPerTable: 10 };
