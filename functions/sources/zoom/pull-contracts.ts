import { createHash } from "node:crypto";
import { z } from "zod";
import type { StreamContract } from "../../core/ingest/source.js";
import { defineStream } from "../stream-contract.js";
import { IsoInstantSchema } from "../timestamps.js";
import { ZoomIdSchema } from "./contracts.js";

/**
 * Polls and Q&A of a past webinar occurrence, as the Report API answers them
 * (`GET /report/webinars/{webinarId}/polls` and `/qa`; developers.zoom.us/docs/api/rest/reference/
 * zoom-api/methods/#tag/Reports). Zoom sends no webhook for them: these streams are pulled only.
 * One record per answer (polls) or question (Q&A), with the occurrence it belongs to.
 */
const OccurrenceSchema = z.strictObject({
  id: ZoomIdSchema,
  uuid: z.string().min(1),
  host_id: z.string().optional(),
  topic: z.string().optional(),
  start_time: z.string().optional(),
});

export const ZoomPollAnswerSchema = z.strictObject({
  webinar: OccurrenceSchema,
  participant: z.looseObject({
    email: z.string().optional(),
    name: z.string().optional(),
    first_name: z.string().optional(),
    last_name: z.string().optional(),
  }),
  answer: z.looseObject({
    polling_id: z.string().optional(),
    question: z.string(),
    answer: z.string(),
    date_time: IsoInstantSchema,
  }),
});
export type ZoomPollAnswer = z.infer<typeof ZoomPollAnswerSchema>;

export const ZoomQuestionSchema = z.strictObject({
  webinar: OccurrenceSchema,
  asker: z.looseObject({
    user_id: z.string().optional(),
    email: z.string().optional(),
    name: z.string().optional(),
  }),
  question: z.looseObject({
    question_id: z.string().optional(),
    question: z.string(),
    create_time: IsoInstantSchema.optional(),
    question_status: z.string().optional(),
    answer_details: z.array(z.looseObject({})).optional(),
  }),
});
export type ZoomQuestion = z.infer<typeof ZoomQuestionSchema>;

const sha = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

/** The person within the occurrence as the report names them: email, else name. */
const who = (p: {
  email?: string | undefined;
  name?: string | undefined;
  user_id?: string | undefined;
}) => p.user_id || p.email || p.name || "anonymous";

export const pollAnswersContract: StreamContract = defineStream({
  schema: ZoomPollAnswerSchema,
  // A person answers a poll question once per launch; the answer time tells relaunches apart.
  recordId: (r) =>
    `${r.webinar.uuid}:${r.answer.polling_id ?? "poll"}:${sha(r.answer.question)}:${sha(who(r.participant))}:${r.answer.date_time}`,
  eventTime: (r) => new Date(r.answer.date_time),
  recordIdHint: () => undefined,
});

export const questionsContract: StreamContract = defineStream({
  schema: ZoomQuestionSchema,
  // Answers are added to a question later: the id stays, staging keeps the latest version.
  recordId: (r) =>
    `${r.webinar.uuid}:${r.question.question_id ?? `${sha(who(r.asker))}:${sha(r.question.question)}`}`,
  eventTime: (r) => new Date(r.question.create_time ?? r.webinar.start_time ?? 0),
  recordIdHint: () => undefined,
});
