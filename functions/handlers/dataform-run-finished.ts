import { z } from "zod";
import { type CloudEvent, decodePubsubJson } from "../platform/cloudevents.js";

/**
 * The Cloud Logging entry a log sink routes to `dataform-run-finished` when a workflow
 * invocation ends (infra/pubsub.tf). Only the fields the trigger reads.
 */
export const DataformRunLogEntrySchema = z.object({
  jsonPayload: z.object({
    terminalState: z.string(),
    workflowInvocationId: z.string().optional(),
  }),
});

/** The invocation id when the event reports a successful Dataform run, else `undefined`. */
export function succeededDataformRun(
  event: CloudEvent<unknown>,
): { invocationId: string } | undefined {
  const { data } = decodePubsubJson(event);
  const parsed = DataformRunLogEntrySchema.safeParse(data);
  if (!parsed.success) {
    throw new Error(
      `dataform-run-finished message is not a Dataform log entry: ${parsed.error.issues[0]?.message}`,
    );
  }
  const { terminalState, workflowInvocationId } = parsed.data.jsonPayload;
  if (terminalState !== "SUCCEEDED") return undefined;
  return { invocationId: workflowInvocationId ?? "unknown" };
}
