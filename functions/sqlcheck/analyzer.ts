import { locateZetaSql, type ZetaSqlInstall } from "./binary.js";
import { createZetaSqlRpc } from "./client.js";
import { type AnalyzedStatement, readAnalyzeResponse } from "./resolved.js";
import { spawnServer } from "./server-process.js";

/** The outcome of analyzing one statement: its resolved shape, or the analyzer's message. */
export type Analysis =
  | { readonly ok: true; readonly statement: AnalyzedStatement }
  | { readonly ok: false; readonly message: string };

/** A running ZetaSQL analyzer. `close()` kills its server; always call it (see withAnalyzer). */
export interface Analyzer {
  /** Pid of the server process (to check it is gone after `close()`). */
  readonly pid: number;
  /** Analyzes the statement that starts at `bytePosition` (UTF-8 bytes) of `sql`. */
  analyze(
    request: { sql: string; bytePosition?: number },
    catalog: object,
    options: object,
  ): Promise<Analysis>;
  /** Table names the statement reads or writes, as written (`["p.d.t"]` or `["d", "t"]`). */
  tableNames(sql: string, languageOptions: object): Promise<string[][]>;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly install?: ZetaSqlInstall;
  readonly readyTimeoutMs?: number;
}

/** gRPC status codes the service uses for SQL the analyzer refuses (not for its own faults). */
const SQL_ERROR_CODES = new Set([3, 5, 11, 12]);

export async function startAnalyzer(options: StartOptions = {}): Promise<Analyzer> {
  const install = options.install ?? (await locateZetaSql());
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
  const server = await spawnServer(install.serverPath, { readyTimeoutMs });
  const rpc = createZetaSqlRpc(install, server.address);
  const close = async () => {
    rpc.close();
    await server.stop();
  };
  try {
    await rpc.ready(readyTimeoutMs);
  } catch (error) {
    await close();
    throw new Error(`The ZetaSQL server at ${server.address} did not answer: ${message(error)}`);
  }
  return {
    pid: server.pid,
    analyze: async ({ sql, bytePosition }, catalog, analyzerOptions) => {
      const target =
        bytePosition === undefined
          ? { sqlStatement: sql }
          : { parseResumeLocation: { input: sql, bytePosition, allowResume: true } };
      try {
        const response = await rpc.analyze({
          options: analyzerOptions,
          simpleCatalog: catalog,
          ...target,
        });
        return { ok: true, statement: readAnalyzeResponse(response) };
      } catch (error) {
        if (isSqlError(error)) return { ok: false, message: sqlErrorMessage(error) };
        throw new Error(`The ZetaSQL analyzer failed: ${message(error)}`);
      }
    },
    tableNames: async (sql, languageOptions) => {
      const response = (await rpc.extractTableNamesFromStatement({
        sqlStatement: sql,
        options: languageOptions,
        allowScript: true,
      })) as { tableName?: { tableNameSegment?: string[] }[] };
      return (response.tableName ?? []).map((name) => name.tableNameSegment ?? []);
    },
    close,
  };
}

/** Runs `use` with a fresh analyzer and kills the analyzer afterwards, whatever happens. */
export async function withAnalyzer<T>(
  use: (analyzer: Analyzer) => Promise<T>,
  options: StartOptions = {},
): Promise<T> {
  const analyzer = await startAnalyzer(options);
  try {
    return await use(analyzer);
  } finally {
    await analyzer.close();
  }
}

function isSqlError(error: unknown): error is { code: number; details: string } {
  return (
    typeof error === "object" &&
    error !== null &&
    "code" in error &&
    typeof error.code === "number" &&
    SQL_ERROR_CODES.has(error.code) &&
    "details" in error &&
    typeof error.details === "string"
  );
}

function sqlErrorMessage(error: { details: string }): string {
  return error.details.trimEnd();
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
