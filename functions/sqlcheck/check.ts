import { type Analyzer, withAnalyzer } from "./analyzer.js";
import {
  type Catalog,
  type CatalogColumn,
  createCatalog,
  declaredColumns,
  type TableName,
  tableKey,
  toSimpleCatalogProto,
} from "./catalog.js";
import {
  type CheckFailure,
  type CheckInput,
  CheckInputSchema,
  type CheckResult,
  displayName,
  type SkippedStatement,
} from "./check-input.js";
import { bigQueryAnalyzerOptions, bigQueryLanguageOptions } from "./language.js";
import { parseSqlType } from "./sql-type.js";
import { materializationForms, splitStatements } from "./statement-runner.js";

type Statement = ReturnType<typeof CheckInputSchema.parse>["statements"][number];

export interface CheckDeps {
  /** A running analyzer to reuse (tests, several checks); without it one is started and killed. */
  readonly analyzer?: Analyzer;
}

/**
 * Checks SQL the way BigQuery would resolve it, offline: each statement is analyzed by ZetaSQL
 * against a catalog of the declared tables, in the order given; a query's output columns become
 * its target table, so the models after it resolve against what it really produces.
 */
export async function checkStatements(
  input: CheckInput,
  deps: CheckDeps = {},
): Promise<CheckResult> {
  const parsed = CheckInputSchema.parse(input);
  if (!deps.analyzer) return withAnalyzer((analyzer) => checkStatements(parsed, { analyzer }));
  const analyzer = deps.analyzer;

  const catalog = createCatalog(parsed.project);
  for (const declaration of parsed.declarations) {
    catalog.put(declaration, declaredColumns(declaration.columns));
  }
  const parameterTypes = Object.fromEntries(
    Object.entries(parsed.parameters ?? {}).map(([name, type]) => [name, parseSqlType(type)]),
  );
  const options = bigQueryAnalyzerOptions(parameterTypes);
  const builtins = { languageOptions: options.languageOptions };
  const analyze = async (sql: string, bytePosition?: number) =>
    analyzer.analyze(
      bytePosition === undefined ? { sql } : { sql, bytePosition },
      toSimpleCatalogProto(catalog, builtins),
      options,
    );

  const failures: CheckFailure[] = [];
  const skipped: SkippedStatement[] = [];
  const failed = new Map<string, string>();
  let checked = 0;

  for (const statement of parsed.statements) {
    if (statement.startsScript) catalog.clearTemporary();
    const target = statement.target;
    const upstream = failed.size
      ? await failedUpstream(analyzer, statement, failed, catalog)
      : undefined;
    if (upstream) {
      skipped.push({
        fileName: statement.fileName,
        target,
        reason: `it reads ${upstream}, which failed its check`,
      });
      if (target) failed.set(tableKeyIn(catalog, target), displayName(target));
      continue;
    }
    checked++;
    const message = await checkOne(statement, catalog, analyze);
    if (message !== undefined) {
      failures.push({ fileName: statement.fileName, target, message });
      if (target) failed.set(tableKeyIn(catalog, target), displayName(target));
    }
  }
  return { checked, failures, skipped };
}

type Analyze = (sql: string, bytePosition?: number) => ReturnType<Analyzer["analyze"]>;

/** Analyzes one input statement; registers what it produces; answers the failure message. */
async function checkOne(
  statement: Statement,
  catalog: Catalog,
  analyze: Analyze,
): Promise<string | undefined> {
  const created = (columns: readonly CatalogColumn[], name?: readonly string[], temp?: boolean) =>
    registerCreated(catalog, statement.target, columns, name, temp);
  if (statement.kind === "statement") return splitStatements(statement.sql, analyze, created);
  const columns = await analyzeQuery(statement.sql, analyze);
  if (typeof columns === "string") return columns;
  register(catalog, statement.target, columns);
  if (!statement.target || !statement.materialization) return undefined;
  const incrementalPreOps = async () => {
    for (const sql of statement.incrementalPreOps ?? []) {
      const failure = await splitStatements(sql, analyze, created);
      if (failure) return `In the incremental pre-operations: ${failure}`;
    }
    return undefined;
  };
  return materializationForms(statement, statement.target, columns, analyze, incrementalPreOps);
}

/** Analyzes a SELECT; answers its output columns or the failure message. */
async function analyzeQuery(
  sql: string,
  analyze: Analyze,
): Promise<readonly CatalogColumn[] | string> {
  const analysis = await analyze(sql);
  if (!analysis.ok) return analysis.message;
  const { kind, outputColumns } = analysis.statement;
  if (kind !== "RESOLVED_QUERY_STMT" || !outputColumns) {
    return `Expected one SELECT query, got a ${kind} statement; mark it as a statement instead.`;
  }
  return outputColumns;
}

/**
 * What a CREATE … AS statement produced: a TEMP table of the script under its own name, a table
 * under the name it was created with, or (a statement without a name) the statement's target.
 */
function registerCreated(
  catalog: Catalog,
  target: TableName | undefined,
  columns: readonly CatalogColumn[],
  name: readonly string[] | undefined,
  temporary: boolean | undefined,
) {
  if (name && temporary && name.length === 1 && name[0]) {
    catalog.putTemporary(name[0], columns);
    return;
  }
  const [table, schema, database] = [...(name ?? [])].join(".").split(".").reverse();
  if (table && schema)
    catalog.put({ schema, name: table, ...(database ? { database } : {}) }, columns);
  else register(catalog, target, columns);
}

function register(
  catalog: Catalog,
  target: TableName | undefined,
  columns: readonly CatalogColumn[],
) {
  if (target) catalog.put(target, columns);
}

function tableKeyIn(catalog: Catalog, table: TableName): string {
  return tableKey({ ...table, database: table.database ?? catalog.project });
}

/** The failed table a statement reads, if any (by the table names written in its SQL). */
async function failedUpstream(
  analyzer: Analyzer,
  statement: Statement,
  failed: ReadonlyMap<string, string>,
  catalog: Catalog,
): Promise<string | undefined> {
  const names = await analyzer.tableNames(statement.sql, bigQueryLanguageOptions()).catch(() => []);
  for (const segments of names) {
    const parts = segments.join(".").split(".");
    const [name, schema, database] = [...parts].reverse();
    if (!name || !schema) continue;
    const found = failed.get(
      tableKeyIn(catalog, { schema, name, ...(database ? { database } : {}) }),
    );
    if (found) return found;
  }
  return undefined;
}
