import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDuckDbWarehouse } from "../../functions/platform/local/duckdb-warehouse.js";
import { describeWarehouseContract, stageToFile } from "./warehouse.contract.js";

describeWarehouseContract("DuckDB file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "unistack-wh-"));
  const warehouse = await createDuckDbWarehouse({ path: join(dir, "warehouse.duckdb") });
  return {
    warehouse,
    stage: (name, ndjson) => stageToFile(join(dir, name), ndjson),
    cleanup: async () => {
      await warehouse.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
