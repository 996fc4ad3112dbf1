import type { ZetaSqlInstall } from "./binary.js";

/**
 * A gRPC client of the ZetaSQL local service, one per server. The package's own
 * `ZetaSQLClient` is a process-wide singleton bound to `localhost`; we need one client per server
 * we spawn, so this builds the client from the package's protos and its own gRPC libraries
 * (resolved from the package, so we do not depend on how npm hoisted them).
 */
export interface ZetaSqlRpc {
  analyze(request: object): Promise<unknown>;
  extractTableNamesFromStatement(request: object): Promise<unknown>;
  getLanguageOptions(request: object): Promise<unknown>;
  /** Resolves once the channel is connected and the service answered a request. */
  ready(timeoutMs: number): Promise<void>;
  close(): void;
}

type Callback = (error: Error | null, value: unknown) => void;
type Method = (request: object, options: { deadline: number }, callback: Callback) => void;

interface GrpcServiceClient {
  analyze: Method;
  extractTableNamesFromStatement: Method;
  getLanguageOptions: Method;
  waitForReady(deadline: number, callback: (error?: Error) => void): void;
  close(): void;
}

type ServiceConstructor = new (
  address: string,
  credentials: unknown,
  options: Record<string, number>,
) => GrpcServiceClient;

interface GrpcJs {
  credentials: { createInsecure(): unknown };
  loadPackageDefinition(definition: unknown): {
    zetasql: { local_service: { ZetaSqlLocalService: ServiceConstructor } };
  };
}

interface ProtoLoader {
  loadSync(file: string, options: Record<string, unknown>): unknown;
}

/** Resolved ASTs of large models are big; the default 4 MB gRPC limit is too small. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
const CALL_TIMEOUT_MS = 60_000;

/** Parsing the protos takes ~0.4 s; do it once per process and protos folder. */
const serviceByProtos = new Map<string, ServiceConstructor>();

function serviceConstructor(install: ZetaSqlInstall): ServiceConstructor {
  const cached = serviceByProtos.get(install.protosDir);
  if (cached) return cached;
  const grpc = install.requireFromPackage("@grpc/grpc-js") as GrpcJs;
  const loader = install.requireFromPackage("@grpc/proto-loader") as ProtoLoader;
  const definition = loader.loadSync("local_service.proto", {
    includeDirs: [install.protosDir],
    // Enum values and 64-bit ints as strings: stable, JSON-safe shapes for our zod schemas.
    enums: String,
    longs: String,
    oneofs: true,
  });
  const service = grpc.loadPackageDefinition(definition).zetasql.local_service.ZetaSqlLocalService;
  serviceByProtos.set(install.protosDir, service);
  return service;
}

export function createZetaSqlRpc(install: ZetaSqlInstall, address: string): ZetaSqlRpc {
  const grpc = install.requireFromPackage("@grpc/grpc-js") as GrpcJs;
  const Service = serviceConstructor(install);
  const client = new Service(address, grpc.credentials.createInsecure(), {
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
  });
  const call = (method: Method, request: object) =>
    new Promise<unknown>((resolve, reject) => {
      method.call(client, request, { deadline: Date.now() + CALL_TIMEOUT_MS }, (error, value) =>
        error ? reject(error) : resolve(value),
      );
    });
  return {
    analyze: (request) => call(client.analyze, request),
    extractTableNamesFromStatement: (request) =>
      call(client.extractTableNamesFromStatement, request),
    getLanguageOptions: (request) => call(client.getLanguageOptions, request),
    ready: async (timeoutMs) => {
      await new Promise<void>((resolve, reject) => {
        client.waitForReady(Date.now() + timeoutMs, (error) => (error ? reject(error) : resolve()));
      });
      await call(client.getLanguageOptions, {});
    },
    close: () => client.close(),
  };
}
