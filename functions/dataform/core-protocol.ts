import { dirname, join } from "node:path";
import protobuf from "protobufjs";

/**
 * The wire contract between a Dataform compiler and @dataform/core: `CoreExecutionRequest` in,
 * `CoreExecutionResponse` out, as defined by the `.proto` files core ships next to its bundle.
 * Decoding with those files (not a hand-written reader) keeps us on the same contract the
 * Dataform CLI uses, for whichever core version the project pins.
 */
export interface CompileRequest {
  readonly projectDir: string;
  /** Project-relative paths of every file core may load (definitions/, includes/). */
  readonly filePaths: readonly string[];
  /** Merged over workflow_settings.yaml: `vars` key by key, other fields replace. */
  readonly projectConfigOverride: {
    readonly vars?: Readonly<Record<string, string>>;
    readonly defaultDatabase?: string;
    readonly defaultLocation?: string;
  };
}

interface CoreMessages {
  readonly request: protobuf.Type;
  readonly response: protobuf.Type;
}

const roots = new Map<string, CoreMessages>();

function messagesFor(bundlePath: string): CoreMessages {
  const protoDir = dirname(bundlePath);
  const cached = roots.get(protoDir);
  if (cached) return cached;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(protoDir, target);
  root.loadSync("core.proto", { keepCase: false });
  const messages = {
    request: root.lookupType("dataform.CoreExecutionRequest"),
    response: root.lookupType("dataform.CoreExecutionResponse"),
  };
  roots.set(protoDir, messages);
  return messages;
}

/**
 * Base64, not bytes: a Uint8Array made here is not an `instanceof Uint8Array` inside core's own
 * V8 context, and core answers a string request with a string.
 */
export function encodeCompileRequest(bundlePath: string, request: CompileRequest): string {
  const { request: type } = messagesFor(bundlePath);
  const message = type.fromObject({
    compile: {
      compileConfig: {
        projectDir: request.projectDir,
        filePaths: [...request.filePaths],
        projectConfigOverride: request.projectConfigOverride,
      },
    },
  });
  return Buffer.from(type.encode(message).finish()).toString("base64");
}

/** The compiled graph as plain JSON-like data (enums as names, 64-bit ints as strings). */
export function decodeCompiledGraph(bundlePath: string, response: string): unknown {
  const { response: type } = messagesFor(bundlePath);
  const message = type.decode(Buffer.from(response, "base64"));
  const object = type.toObject(message, {
    enums: String,
    longs: String,
    arrays: true,
    defaults: false,
  }) as { compile?: { compiledGraph?: unknown } };
  return object.compile?.compiledGraph ?? {};
}
