import { parseSqlType, type SqlType } from "./sql-type.js";

/** A table as BigQuery names it: `database` is the project (defaults to the check's project). */
export interface TableName {
  readonly database?: string | undefined;
  readonly schema: string;
  readonly name: string;
}

/** A column as declared: `type` is a BigQuery type name (ColumnSpec types, ARRAY<…>, STRUCT<…>). */
export interface DeclaredColumn {
  readonly name: string;
  readonly type: string;
}

export interface CatalogColumn {
  readonly name: string;
  readonly type: SqlType;
}

export interface CatalogTable {
  readonly table: TableName;
  readonly columns: readonly CatalogColumn[];
}

/**
 * The tables a check knows, keyed case-insensitively as the analyzer looks them up. A model's
 * output replaces its table's entry, so later statements see what the model produces.
 */
export interface Catalog {
  readonly project: string | undefined;
  put(table: TableName, columns: readonly CatalogColumn[]): void;
  tables(): readonly CatalogTable[];
  /** A TEMP table of the current script (an action's pre-operations): named without a dataset. */
  putTemporary(name: string, columns: readonly CatalogColumn[]): void;
  temporaryTables(): ReadonlyMap<string, readonly CatalogColumn[]>;
  /** A new script starts (the next action): its predecessor's TEMP tables are gone. */
  clearTemporary(): void;
}

export function createCatalog(project?: string): Catalog {
  const byKey = new Map<string, CatalogTable>();
  const temporary = new Map<string, readonly CatalogColumn[]>();
  const qualify = (table: TableName): TableName => {
    const database = table.database ?? project;
    return database === undefined ? table : { ...table, database };
  };
  return {
    project,
    put: (table, columns) => {
      const qualified = qualify(table);
      byKey.set(tableKey(qualified), { table: qualified, columns });
    },
    tables: () => [...byKey.values()],
    putTemporary: (name, columns) => {
      temporary.set(name, columns);
    },
    temporaryTables: () => temporary,
    clearTemporary: () => temporary.clear(),
  };
}

export function declaredColumns(columns: readonly DeclaredColumn[]): CatalogColumn[] {
  return columns.map((column) => ({ name: column.name, type: parseSqlType(column.type) }));
}

/** `project.dataset.table` (or `dataset.table` without a project), as BigQuery prints it. */
export function tableKey(table: TableName): string {
  return [table.database, table.schema, table.name]
    .filter((part) => part !== undefined)
    .join(".")
    .toLowerCase();
}

/**
 * The catalog as a `SimpleCatalogProto`. BigQuery accepts a table under several spellings, and
 * the analyzer resolves each differently, so each table is registered under all of them:
 * - `` `project.dataset.table` `` and `` `dataset.table` ``: one quoted identifier, a flat name;
 * - `project.dataset.table` and `dataset.table` (or `` `project`.dataset.table ``): a path,
 *   resolved through nested catalogs `project` → `dataset`.
 * Short names (without a project) are only registered for the check's own project, as in
 * BigQuery, where the default project fills in a missing one.
 * A wildcard table (`events_*`) gets BigQuery's `_TABLE_SUFFIX` pseudo-column.
 */
export function toSimpleCatalogProto(catalog: Catalog, builtinFunctionOptions: object): object {
  const root = node("");
  for (const { table, columns } of catalog.tables()) {
    const full = [table.database, table.schema, table.name].filter((p) => p !== undefined);
    const isDefault = table.database === undefined || table.database === catalog.project;
    const spellings = isDefault && table.database !== undefined ? [full, full.slice(1)] : [full];
    for (const path of spellings) {
      addTable(root, [path.join(".")], columns);
      if (path.length > 1) addTable(root, path, columns);
    }
  }
  for (const [name, columns] of catalog.temporaryTables()) addTable(root, [name], columns);
  return { ...toProto(root), builtinFunctionOptions, customFunction: BIGQUERY_FUNCTIONS };
}

// The server needs every field a serialized signature carries (it crashes without them).
const fixed = (typeKind: string) => ({
  kind: "ARG_TYPE_FIXED",
  type: { typeKind },
  options: { cardinality: "REQUIRED" },
  numOccurrences: 1,
});

/**
 * BigQuery functions newer than the bundled ZetaSQL analyzer, with their documented signatures,
 * so SQL that uses them is checked instead of refused: EDIT_DISTANCE(STRING, STRING) → INT64
 * (Levenshtein distance, GA in BigQuery since 2023).
 */
const BIGQUERY_FUNCTIONS: readonly object[] = [
  {
    namePath: ["EDIT_DISTANCE"],
    group: "BigQuery",
    mode: "SCALAR",
    signature: [
      {
        argument: [fixed("TYPE_STRING"), fixed("TYPE_STRING")],
        returnType: fixed("TYPE_INT64"),
        contextId: "0",
      },
    ],
    options: {},
  },
];

interface CatalogNode {
  readonly name: string;
  readonly tables: Map<string, object>;
  readonly children: Map<string, CatalogNode>;
}

function node(name: string): CatalogNode {
  return { name, tables: new Map(), children: new Map() };
}

function addTable(root: CatalogNode, path: readonly string[], columns: readonly CatalogColumn[]) {
  let at = root;
  for (const part of path.slice(0, -1)) {
    const key = part.toLowerCase();
    const child = at.children.get(key) ?? node(part);
    at.children.set(key, child);
    at = child;
  }
  const name = path[path.length - 1] ?? "";
  at.tables.set(name.toLowerCase(), tableProto(name, columns));
}

function toProto(at: CatalogNode): { name: string; table: object[]; catalog: object[] } {
  return {
    name: at.name,
    table: [...at.tables.values()],
    catalog: [...at.children.values()].map(toProto),
  };
}

function tableProto(name: string, columns: readonly CatalogColumn[]): object {
  const column: object[] = columns.map((c) => ({ name: c.name, type: c.type }));
  if (name.endsWith("*")) {
    column.push({ name: "_TABLE_SUFFIX", type: { typeKind: "TYPE_STRING" }, isPseudoColumn: true });
  }
  return { name, column };
}
