import { base, en, Faker } from "@faker-js/faker";

/**
 * Building blocks of the synthetic data: a fast seeded generator for the bulk decisions and
 * small faker-made pools for names and places (faker per record would be the slow part at
 * 100,000 contacts). Same seed, same output, on every machine.
 */

/** One HTTP request the demo's sender posts; it adds the signature headers itself. */
export interface SyntheticDelivery {
  readonly source: "shopify" | "sendgrid" | "zoom";
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
  /** When the vendor would have sent it (ISO, milliseconds): deliveries are in this order. */
  readonly sentAt: string;
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** 16 random bytes as base64, the shape of SendGrid's `sg_event_id`. */
  id128(): string;
  /** A random RFC 4122 v4-shaped id (Shopify webhook ids look like this). */
  uuid(): string;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** A 32-bit hash of a string (FNV-1a), to derive independent seeds from one seed. */
export function hashSeed(...parts: ReadonlyArray<string | number>): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join("|")) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** sfc32: small, fast, good enough for test data, and deterministic. */
export function createRng(...seedParts: ReadonlyArray<string | number>): Rng {
  let a = hashSeed("a", ...seedParts);
  let b = hashSeed("b", ...seedParts);
  let c = hashSeed("c", ...seedParts);
  let d = 1;
  const u32 = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) u32();
  const next = (): number => u32() / 4_294_967_296;
  const hex8 = (): string => {
    const v = u32();
    return (
      (HEX[v >>> 24] as string) + HEX[(v >>> 16) & 0xff] + HEX[(v >>> 8) & 0xff] + HEX[v & 0xff]
    );
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    id128() {
      const bytes = Buffer.alloc(16);
      for (let i = 0; i < 16; i += 4) bytes.writeUInt32BE(u32(), i);
      return bytes.toString("base64");
    },
    uuid() {
      const [a, b, c, d] = [hex8(), hex8(), hex8(), hex8()];
      return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-a${c.slice(1, 4)}-${c.slice(4)}${d}`;
    },
  };
}

export interface Pools {
  readonly firstNames: readonly string[];
  readonly lastNames: readonly string[];
  readonly companies: readonly string[];
  readonly cities: readonly string[];
  readonly streets: readonly string[];
  readonly userAgents: readonly string[];
}

const poolCache = new Map<number, Pools>();

/** Name and place pools made by a faker seeded from `seed`. */
export function pools(seed: number): Pools {
  const cached = poolCache.get(seed);
  if (cached) return cached;
  const faker = new Faker({ locale: [en, base] });
  faker.seed(hashSeed("pools", seed));
  const many = (n: number, make: () => string) => Array.from({ length: n }, make);
  const made: Pools = {
    firstNames: many(400, () => faker.person.firstName()),
    lastNames: many(400, () => faker.person.lastName()),
    companies: many(120, () => faker.company.name()),
    cities: many(120, () => faker.location.city()),
    streets: many(300, () => faker.location.streetAddress()),
    userAgents: many(40, () => faker.internet.userAgent()),
  };
  poolCache.set(seed, made);
  return made;
}

const dayPrefixes = new Map<number, string>();
const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * `2026-02-14T10:04:31Z` style UTC text with second precision, without a Date per call (the
 * generator formats millions of timestamps): the date part is cached per day.
 */
export function isoSeconds(ms: number, suffix = "Z"): string {
  const seconds = Math.floor(ms / 1000);
  const day = Math.floor(seconds / 86_400);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  const rest = seconds - day * 86_400;
  const hh = Math.floor(rest / 3600);
  const mm = Math.floor((rest % 3600) / 60);
  return `${prefix}${two(hh)}:${two(mm)}:${two(rest % 60)}${suffix}`;
}

/** `2026-02-14T10:04:31.250Z`: like `toISOString`, for the send times. */
export function isoMillis(ms: number): string {
  const whole = Math.floor(ms / 1000) * 1000;
  return isoSeconds(whole, `.${String(ms - whole).padStart(3, "0")}Z`);
}

/** `2026-02-14T10:04:31+01:00`: Shopify's format, in the shop's fixed offset. */
export function shopifyTime(ms: number, offsetMinutes = 60): string {
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return isoSeconds(
    ms + offsetMinutes * MINUTE_MS,
    `${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`,
  );
}

/** Lower-case ASCII letters only: the local part of a synthetic email. */
export function slug(text: string): string {
  return text
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z]/g, "");
}

/**
 * The same address as people and tools really type it: mostly clean, sometimes upper-cased,
 * capitalised, padded, or with a space inside. Identity resolution must undo all of these.
 */
export function messyEmail(email: string, rng: Rng): string {
  const roll = rng.next();
  if (roll < 0.55) return email;
  if (roll < 0.65) return email.toUpperCase();
  if (roll < 0.75) return email.charAt(0).toUpperCase() + email.slice(1);
  if (roll < 0.85) return `  ${email} `;
  if (roll < 0.93) return email.replace("@", " @");
  return `\t${email.replace("@", "@ ").toUpperCase()}`;
}

/** The canonical form identity resolution should arrive at: no whitespace, lower case. */
export function canonicalEmail(email: string): string {
  return email.replace(/\s+/g, "").toLowerCase();
}
