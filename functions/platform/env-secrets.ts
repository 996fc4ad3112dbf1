import type { Secrets } from "./ports.js";

/**
 * Secrets from the environment: locally `.env`/the shell, in the cloud the Secret Manager values
 * that Cloud Functions inject as variables. The environment is read once, at creation.
 */
export function createEnvSecrets(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Secrets {
  const snapshot = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== "") snapshot.set(name, value);
  }
  return {
    get: (name) => snapshot.get(name),
    require(name) {
      const value = snapshot.get(name);
      if (value === undefined) {
        throw new Error(
          `secret ${name} is not set: export ${name}=… (locally) or bind it from Secret Manager`,
        );
      }
      return value;
    },
  };
}
