import type { Logger } from "../../platform/logger.js";
import type { Clock, ObjectStore, Secrets } from "../../platform/ports.js";
import { safeError } from "../safe-error.js";
import {
  createRecordMatcher,
  type IdentifierPathsOf,
  type RecordMatcher,
} from "./record-matcher.js";
import { SaltSchema, saltFingerprint } from "./salted-key.js";
import { readSuppressionObject, SUPPRESSION_OBJECT } from "./suppression-list.js";

/** The environment variable (a Secret Manager secret in the cloud) that holds the privacy salt. */
export const PRIVACY_SALT_ENV = "UNISTACK_PRIVACY_SALT";

/** The suppression list as ingest and pulls consult it, re-read at most every `ttlMs`. */
export interface SuppressionSource {
  /** The current list as a matcher; throws `SuppressionUnavailableError` when it cannot be read. */
  current(): Promise<RecordMatcher>;
}

/** The list exists but cannot be used: landing must wait (answer 503, the vendor retries). */
export class SuppressionUnavailableError extends Error {
  override readonly name = "SuppressionUnavailableError";
}

const EMPTY: RecordMatcher = { empty: true, names: () => false };

/** A source that suppresses nobody (tests of other behaviour, tools that land nothing). */
export const NO_SUPPRESSION: SuppressionSource = { current: async () => EMPTY };

/**
 * Reads `privacy/suppression.json` from the lake (the ingest service may read that one object and
 * nothing else). No object means nobody was erased yet. A list that cannot be read, or was made
 * with another salt than the one configured, stops landing instead of letting an erased person's
 * records through; a read that fails briefly is bridged by the last good copy for `maxStaleMs`.
 */
export function createStoredSuppression(deps: {
  readonly store: ObjectStore;
  readonly secrets: Secrets;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly identifiersOf: IdentifierPathsOf;
  readonly ttlMs?: number;
  readonly maxStaleMs?: number;
}): SuppressionSource {
  const ttlMs = deps.ttlMs ?? 60_000;
  const maxStaleMs = deps.maxStaleMs ?? 10 * 60_000;
  let cached: { at: number; matcher: RecordMatcher } | undefined;
  let loading: Promise<RecordMatcher> | undefined;

  const load = async (): Promise<RecordMatcher> => {
    const snapshot = await readSuppressionObject(deps.store);
    if (!snapshot || snapshot.keys.length === 0) return EMPTY;
    const salt = SaltSchema.safeParse(deps.secrets.get(PRIVACY_SALT_ENV));
    if (!salt.success) {
      throw new SuppressionUnavailableError(
        `${SUPPRESSION_OBJECT} lists erased people but ${PRIVACY_SALT_ENV} is not set to the privacy salt: set it (docs/privacy.md)`,
      );
    }
    if (saltFingerprint(salt.data) !== snapshot.saltFingerprint) {
      throw new SuppressionUnavailableError(
        `${SUPPRESSION_OBJECT} was written with another privacy salt than ${PRIVACY_SALT_ENV}: configure the deployment's salt`,
      );
    }
    return createRecordMatcher({
      salt: salt.data,
      keys: new Set(snapshot.keys),
      identifiersOf: deps.identifiersOf,
    });
  };

  return {
    async current() {
      const now = deps.clock.now().getTime();
      if (cached && now - cached.at < ttlMs) return cached.matcher;
      loading ??= load().finally(() => {
        loading = undefined;
      });
      try {
        const matcher = await loading;
        cached = { at: deps.clock.now().getTime(), matcher };
        return matcher;
      } catch (error) {
        if (error instanceof SuppressionUnavailableError) throw error;
        if (cached && now - cached.at < maxStaleMs) {
          deps.logger.warn(
            { err: safeError(error) },
            "suppression list not re-read; using the last copy",
          );
          return cached.matcher;
        }
        throw new SuppressionUnavailableError(
          `the suppression list (${SUPPRESSION_OBJECT}) cannot be read: ${safeError(error).message}`,
        );
      }
    },
  };
}
