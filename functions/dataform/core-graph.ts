import { z } from "zod";
import { type Action, actionName, type Target } from "./compiled-graph.js";

/**
 * The parts of core's `CompiledGraph` proto (decoded with `defaults: false`, so absent fields are
 * missing) that the compiler and the runners read.
 */
const ProtoTarget = z.object({
  database: z.string().optional(),
  schema: z.string().default(""),
  name: z.string(),
});
const strings = z.array(z.string()).default([]);
const ProtoDescriptor = z
  .object({
    description: z.string().optional(),
    columns: z
      .array(
        z.object({
          path: strings,
          description: z.string().optional(),
          bigqueryPolicyTags: z.array(z.string()).optional(),
        }),
      )
      .default([]),
  })
  .optional();
const common = {
  target: ProtoTarget,
  dependencyTargets: z.array(ProtoTarget).default([]),
  fileName: z.string().default(""),
  tags: strings,
  disabled: z.boolean().default(false),
  actionDescriptor: ProtoDescriptor,
};
const ProtoTable = z.object({
  ...common,
  enumType: z.enum(["TABLE", "INCREMENTAL", "VIEW"]),
  query: z.string().optional(),
  incrementalQuery: z.string().optional(),
  uniqueKey: strings,
  preOps: strings,
  postOps: strings,
  incrementalPreOps: strings,
  incrementalPostOps: strings,
  protected: z.boolean().default(false),
  bigquery: z.object({ partitionBy: z.string().optional(), clusterBy: strings }).optional(),
});
const ProtoAssertion = z.object({
  ...common,
  query: z.string().optional(),
  parentAction: ProtoTarget.optional(),
});
const ProtoOperation = z.object({ ...common, queries: strings });
const ProtoDeclaration = z.object({
  target: ProtoTarget,
  fileName: z.string().default(""),
  tags: strings,
  actionDescriptor: ProtoDescriptor,
});
export const CoreGraphSchema = z.object({
  projectConfig: z
    .object({
      defaultDatabase: z.string().optional(),
      defaultSchema: z.string().optional(),
      assertionSchema: z.string().optional(),
      defaultLocation: z.string().optional(),
      vars: z.record(z.string(), z.string()).default({}),
    })
    .default({ vars: {} }),
  tables: z.array(ProtoTable).default([]),
  operations: z.array(ProtoOperation).default([]),
  assertions: z.array(ProtoAssertion).default([]),
  declarations: z.array(ProtoDeclaration).default([]),
  graphErrors: z
    .object({
      compilationErrors: z
        .array(
          z.object({
            fileName: z.string().default(""),
            actionName: z.string().optional(),
            message: z.string().default(""),
          }),
        )
        .default([]),
    })
    .optional(),
  dataformCoreVersion: z.string().default(""),
});
export type CoreGraph = z.infer<typeof CoreGraphSchema>;

const TABLE_TYPES = { TABLE: "table", INCREMENTAL: "incremental", VIEW: "view" } as const;

type ProtoTargetValue = z.infer<typeof ProtoTarget>;

function toTarget(target: ProtoTargetValue): Target {
  return target.database
    ? { database: target.database, schema: target.schema, name: target.name }
    : { schema: target.schema, name: target.name };
}

function docs(
  descriptor: z.infer<typeof ProtoDescriptor>,
): Pick<Action, "description" | "columns"> {
  const columns = (descriptor?.columns ?? []).map((column) => ({
    name: column.path.join("."),
    ...(column.description === undefined ? {} : { description: column.description }),
    // Policy tags (includes/pii.js) travel with the column so checks can see what is protected.
    ...(column.bigqueryPolicyTags?.length ? { policyTags: column.bigqueryPolicyTags } : {}),
  }));
  return descriptor?.description === undefined
    ? { columns }
    : { description: descriptor.description, columns };
}

function base(
  proto: { target: ProtoTargetValue; fileName: string; tags: string[] },
  type: Action["type"],
): Action {
  const target = toTarget(proto.target);
  return {
    name: actionName(target),
    target,
    type,
    fileName: proto.fileName,
    uniqueKey: [],
    preOps: [],
    postOps: [],
    incrementalPreOps: [],
    incrementalPostOps: [],
    dependencyTargets: [],
    columns: [],
    tags: proto.tags,
    disabled: false,
    protected: false,
  };
}

/** Core's graph as a flat list of typed actions, in core's order (tables, ops, assertions, …). */
export function actionsOf(graph: CoreGraph): Action[] {
  const tables = graph.tables.map((table): Action => {
    const action: Action = {
      ...base(table, TABLE_TYPES[table.enumType]),
      ...docs(table.actionDescriptor),
      uniqueKey: table.uniqueKey,
      preOps: table.preOps,
      postOps: table.postOps,
      incrementalPreOps: table.incrementalPreOps,
      incrementalPostOps: table.incrementalPostOps,
      dependencyTargets: table.dependencyTargets.map(toTarget),
      disabled: table.disabled,
      protected: table.protected,
    };
    if (table.query !== undefined) action.query = table.query;
    if (table.enumType === "INCREMENTAL" && table.incrementalQuery !== undefined) {
      action.incrementalQuery = table.incrementalQuery;
    }
    if (table.bigquery) {
      action.bigquery =
        table.bigquery.partitionBy === undefined
          ? { clusterBy: table.bigquery.clusterBy }
          : { partitionBy: table.bigquery.partitionBy, clusterBy: table.bigquery.clusterBy };
    }
    return action;
  });
  const operations = graph.operations.map(
    (operation): Action => ({
      ...base(operation, "operations"),
      ...docs(operation.actionDescriptor),
      query: operation.queries.join(";\n"),
      dependencyTargets: operation.dependencyTargets.map(toTarget),
      disabled: operation.disabled,
    }),
  );
  const assertions = graph.assertions.map((assertion): Action => {
    const action: Action = {
      ...base(assertion, "assertion"),
      ...docs(assertion.actionDescriptor),
      dependencyTargets: assertion.dependencyTargets.map(toTarget),
      disabled: assertion.disabled,
    };
    if (assertion.query !== undefined) action.query = assertion.query;
    if (assertion.parentAction) action.parentAction = toTarget(assertion.parentAction);
    return action;
  });
  const declarations = graph.declarations.map(
    (declaration): Action => ({
      ...base(declaration, "declaration"),
      ...docs(declaration.actionDescriptor),
    }),
  );
  return [...declarations, ...tables, ...operations, ...assertions];
}
