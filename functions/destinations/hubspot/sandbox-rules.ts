import { z } from "zod";

/**
 * HubSpot's documented rules the sandbox enforces on what the destination sends (CRM v3
 * objects API): ≤ 100 inputs per batch call, known property names, a contact upsert keyed by
 * email, a task with a due time (`hs_timestamp`), an existing owner, the enumerations of status,
 * priority and type, and an association to an existing contact with the HubSpot-defined type
 * 204 (task → contact). A violation refuses the whole call, as HubSpot does (400
 * VALIDATION_ERROR naming the input), so nothing of it is applied.
 */

export const MAX_INPUTS = 100;
export const MAX_SEARCH_VALUES = 100;
export const MAX_SEARCH_LIMIT = 200;

export const CONTACT_PROPERTIES = [
  "email",
  "firstname",
  "lastname",
  "phone",
  "company",
  "city",
  "country",
  "zip",
  "lifecyclestage",
  "hs_lead_status",
  "hubspot_owner_id",
];

export const TASK_PROPERTIES = [
  "hs_task_subject",
  "hs_task_body",
  "hubspot_owner_id",
  "hs_timestamp",
  "hs_task_status",
  "hs_task_priority",
  "hs_task_type",
];

const TASK_ENUMS: Record<string, readonly string[]> = {
  hs_task_status: ["NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"],
  hs_task_priority: ["NONE", "LOW", "MEDIUM", "HIGH"],
  hs_task_type: ["TODO", "CALL", "EMAIL", "LINKED_IN", "MEETING"],
};

export class ValidationError extends Error {
  constructor(
    message: string,
    readonly category = "VALIDATION_ERROR",
  ) {
    super(message);
  }
}

const Inputs = <T extends z.ZodType>(input: T) =>
  z.object({ inputs: z.array(input) }).superRefine((body, ctx) => {
    if (body.inputs.length < 1 || body.inputs.length > MAX_INPUTS) {
      ctx.addIssue({
        code: "custom",
        message: `a batch takes 1 to ${MAX_INPUTS} inputs, got ${body.inputs.length}`,
      });
    }
  });

const Properties = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

export const UpsertBody = Inputs(
  z.object({ idProperty: z.string(), id: z.string(), properties: Properties.default({}) }),
);

export const CreateTasksBody = Inputs(
  z.object({
    properties: Properties,
    associations: z
      .array(
        z.object({
          to: z.object({ id: z.string() }),
          types: z.array(
            z.object({ associationCategory: z.string(), associationTypeId: z.number() }),
          ),
        }),
      )
      .default([]),
  }),
);

export const ArchiveBody = Inputs(z.object({ id: z.string() }));

export const SearchBody = z.object({
  filterGroups: z
    .array(
      z.object({
        filters: z.array(
          z.object({
            propertyName: z.string(),
            operator: z.enum(["EQ", "IN"]),
            value: z.string().optional(),
            values: z.array(z.string()).max(MAX_SEARCH_VALUES).optional(),
          }),
        ),
      }),
    )
    .max(5),
  properties: z.array(z.string()).default([]),
  limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).default(10),
  after: z.string().optional(),
});

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(
      `Invalid input JSON on line 1: ${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkUpsert(body: z.infer<typeof UpsertBody>, known: ReadonlySet<string>): void {
  body.inputs.forEach((input, i) => {
    if (input.idProperty !== "email") {
      throw new ValidationError(`inputs[${i}].idProperty: only email is unique here`);
    }
    if (!EMAIL.test(input.id)) throw new ValidationError(`inputs[${i}].id: invalid email`);
    for (const name of Object.keys(input.properties)) {
      if (!known.has(name)) {
        throw new ValidationError(`Property "${name}" does not exist`, "PROPERTY_DOESNT_EXIST");
      }
    }
  });
}

export function checkTask(
  input: z.infer<typeof CreateTasksBody>["inputs"][number],
  i: number,
  rules: {
    known: ReadonlySet<string>;
    owners: ReadonlySet<string>;
    contactExists: (id: string) => boolean;
  },
): void {
  const props = input.properties;
  for (const [name, value] of Object.entries(props)) {
    if (!rules.known.has(name)) {
      throw new ValidationError(`Property "${name}" does not exist`, "PROPERTY_DOESNT_EXIST");
    }
    const allowed = TASK_ENUMS[name];
    if (allowed && !allowed.includes(String(value))) {
      throw new ValidationError(`inputs[${i}].properties.${name}: ${String(value)} is not allowed`);
    }
  }
  const due = props.hs_timestamp;
  if (due === undefined || due === null || Number.isNaN(new Date(due as string).getTime())) {
    throw new ValidationError(`inputs[${i}].properties.hs_timestamp: required, a date`);
  }
  const owner = props.hubspot_owner_id;
  if (owner !== undefined && owner !== null && !rules.owners.has(String(owner))) {
    throw new ValidationError(`inputs[${i}].properties.hubspot_owner_id: no such owner`);
  }
  for (const association of input.associations) {
    const ok = association.types.every(
      (t) => t.associationCategory === "HUBSPOT_DEFINED" && t.associationTypeId === 204,
    );
    if (!ok) throw new ValidationError(`inputs[${i}].associations: task to contact is type 204`);
    if (!rules.contactExists(association.to.id)) {
      throw new ValidationError(
        `inputs[${i}].associations: contact ${association.to.id} not found`,
      );
    }
  }
}
