import { z } from "zod";

/**
 * Wire formats of the CloudEvents that Eventarc delivers to 2nd-gen functions. The local bus
 * builds exactly these envelopes so handlers cannot tell the platforms apart.
 */

export const PUBSUB_PUBLISHED_TYPE = "google.cloud.pubsub.topic.v1.messagePublished";
export const STORAGE_FINALIZED_TYPE = "google.cloud.storage.object.v1.finalized";

export const PubsubMessageSchema = z.object({
  data: z.string().optional(),
  attributes: z.record(z.string(), z.string()).optional(),
  messageId: z.string(),
  publishTime: z.string(),
  orderingKey: z.string().optional(),
});
export type PubsubMessage = z.infer<typeof PubsubMessageSchema>;

export const MessagePublishedDataSchema = z.object({
  message: PubsubMessageSchema,
  subscription: z.string().optional(),
});
export type MessagePublishedData = z.infer<typeof MessagePublishedDataSchema>;

/** The part of GCS `StorageObjectData` the pipeline reads. */
export const StorageObjectDataSchema = z.object({
  bucket: z.string(),
  name: z.string(),
  generation: z.union([z.string(), z.number()]).transform(String),
  size: z.union([z.string(), z.number()]).transform(Number).optional(),
  contentType: z.string().optional(),
  timeCreated: z.string().optional(),
});
export type StorageObjectData = z.infer<typeof StorageObjectDataSchema>;

/** A CloudEvent as handlers receive it (structurally the functions-framework's `CloudEventV1`). */
export interface CloudEvent<T> {
  readonly specversion: string;
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject?: string | undefined;
  readonly time?: string | undefined;
  readonly datacontenttype?: string | undefined;
  readonly data?: T | undefined;
}

/**
 * Decodes the JSON body of a Pub/Sub CloudEvent. A push body the framework could not recognise
 * reaches a handler with undefined `type`/`data`; that is an error to surface, never to ack.
 */
export function decodePubsubJson(event: CloudEvent<unknown>): {
  data: unknown;
  attributes: Record<string, string>;
  messageId: string;
} {
  if (event.type !== PUBSUB_PUBLISHED_TYPE) {
    throw new Error(
      `expected a ${PUBSUB_PUBLISHED_TYPE} CloudEvent, got type "${String(event.type)}": check the trigger of this function`,
    );
  }
  const parsed = MessagePublishedDataSchema.safeParse(event.data);
  if (!parsed.success) {
    throw new Error(
      `Pub/Sub CloudEvent ${event.id} has no message envelope: ${parsed.error.message}`,
    );
  }
  const { message } = parsed.data;
  const text = message.data ? Buffer.from(message.data, "base64").toString("utf8") : "null";
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`Pub/Sub message ${message.messageId} does not carry JSON`);
  }
  return { data, attributes: message.attributes ?? {}, messageId: message.messageId };
}

export function pubsubCloudEvent(input: {
  project: string;
  topic: string;
  messageId: string;
  data: unknown;
  attributes?: Readonly<Record<string, string>> | undefined;
  orderingKey?: string | undefined;
  publishTime: Date;
}): CloudEvent<MessagePublishedData> {
  const publishTime = input.publishTime.toISOString();
  const message: PubsubMessage = {
    data: Buffer.from(JSON.stringify(input.data), "utf8").toString("base64"),
    messageId: input.messageId,
    publishTime,
    ...(input.attributes ? { attributes: { ...input.attributes } } : {}),
    ...(input.orderingKey ? { orderingKey: input.orderingKey } : {}),
  };
  return {
    specversion: "1.0",
    id: input.messageId,
    source: `//pubsub.googleapis.com/projects/${input.project}/topics/${input.topic}`,
    type: PUBSUB_PUBLISHED_TYPE,
    time: publishTime,
    datacontenttype: "application/json",
    data: {
      message,
      subscription: `projects/${input.project}/subscriptions/eventarc-${input.topic}-sub`,
    },
  };
}

export function storageFinalizedCloudEvent(input: {
  bucket: string;
  name: string;
  generation: string;
  size: number;
  contentType: string;
  time: Date;
}): CloudEvent<StorageObjectData> {
  const time = input.time.toISOString();
  return {
    specversion: "1.0",
    id: `${input.bucket}/${input.name}#${input.generation}`,
    source: `//storage.googleapis.com/projects/_/buckets/${input.bucket}`,
    type: STORAGE_FINALIZED_TYPE,
    subject: `objects/${input.name}`,
    time,
    datacontenttype: "application/json",
    data: {
      bucket: input.bucket,
      name: input.name,
      generation: input.generation,
      size: input.size,
      contentType: input.contentType,
      timeCreated: time,
    },
  };
}
