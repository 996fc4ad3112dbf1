import { createRng, type Pools, pools, type Rng, slug } from "./kit.js";

/** Banner choice for a Google consent purpose; `undefined` = the banner wrote nothing. */
export type BannerConsent = "granted" | "denied" | undefined;

export interface SyntheticPerson {
  /** Stable within a (seed, contacts) scenario: `p000042`. */
  readonly personId: string;
  /** Canonical address (lower case, no whitespace); deliveries carry messy variants of it. */
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly phone: string | null;
  readonly countryCode: string;
  readonly provinceCode: string | null;
  readonly city: string;
  readonly street: string;
  readonly zip: string;
  readonly company: string | null;
  readonly inShopify: boolean;
  readonly inSendgrid: boolean;
  readonly shopifyCustomerId: number | null;
  /** Shopify `email_marketing_consent.state`. */
  readonly emailMarketing: "subscribed" | "not_subscribed" | "unsubscribed";
  adUserData: BannerConsent;
  adPersonalization: BannerConsent;
  /**
   * True once the person unsubscribed from SendGrid: 3 % do so in their first run (the events
   * generator sends that `unsubscribe`), more withdraw in later runs.
   */
  sendgridUnsubscribed: boolean;
  /** The run in which the person first appears. */
  readonly firstRun: number;
}

const COUNTRIES: ReadonlyArray<readonly [string, readonly (string | null)[], string]> = [
  ["DE", ["BE", "BY", "HH", "NW", "HE", "BW"], "+49"],
  ["US", ["CA", "NY", "TX", "WA", "IL"], "+1"],
  ["FR", [null], "+33"],
  ["NL", [null], "+31"],
  ["GB", [null], "+44"],
  ["AT", [null], "+43"],
];

const CONSUMER_DOMAINS = ["example.com", "example.net", "example.org", "mail.example.com"];

/** Where a person shows up: 20 % only Shopify, 25 % only SendGrid, 55 % both. */
function membership(rng: Rng): { inShopify: boolean; inSendgrid: boolean } {
  const roll = rng.next();
  if (roll < 0.2) return { inShopify: true, inSendgrid: false };
  if (roll < 0.45) return { inShopify: false, inSendgrid: true };
  return { inShopify: true, inSendgrid: true };
}

function bannerConsent(rng: Rng): [BannerConsent, BannerConsent] {
  if (rng.chance(0.4)) return [undefined, undefined];
  const userData = rng.chance(0.75) ? "granted" : "denied";
  const personalization = userData === "granted" && rng.chance(0.8) ? "granted" : "denied";
  return [userData, personalization];
}

function makePerson(
  index: number,
  run: number,
  rng: Rng,
  pool: Pools,
  taken: Set<string>,
): SyntheticPerson {
  const firstName = rng.pick(pool.firstNames);
  const lastName = rng.pick(pool.lastNames);
  const company = rng.chance(0.3) ? rng.pick(pool.companies) : null;
  const domain = company
    ? `${slug(company).slice(0, 20) || "company"}.example`
    : rng.pick(CONSUMER_DOMAINS);
  const first = slug(firstName) || "user";
  const last = slug(lastName) || "person";
  const local = rng.pick([
    `${first}.${last}`,
    `${first.charAt(0)}${last}`,
    `${first}_${last}`,
    `${last}.${first}`,
  ]);
  let email = `${local}${index}@${domain}`;
  for (let n = 2; taken.has(email); n++) email = `${local}${index}x${n}@${domain}`;
  taken.add(email);
  const [countryCode, provinces, dial] = rng.pick(COUNTRIES);
  const { inShopify, inSendgrid } = membership(rng);
  const [adUserData, adPersonalization] = bannerConsent(rng);
  const marketing = rng.next();
  return {
    personId: `p${String(index).padStart(6, "0")}`,
    email,
    firstName,
    lastName,
    phone: rng.chance(0.5) ? `${dial}${rng.int(100_000_000, 999_999_999)}` : null,
    countryCode,
    provinceCode: rng.pick(provinces),
    city: rng.pick(pool.cities),
    street: rng.pick(pool.streets),
    zip: String(rng.int(10_000, 99_999)),
    company,
    inShopify,
    inSendgrid,
    shopifyCustomerId: inShopify ? 7_100_000_000_000 + index : null,
    emailMarketing:
      marketing < 0.55 ? "subscribed" : marketing < 0.9 ? "not_subscribed" : "unsubscribed",
    adUserData,
    adPersonalization,
    sendgridUnsubscribed: inSendgrid && rng.chance(0.03),
    firstRun: run,
  };
}

/** People who join in run `run` (≥ 2): about 2 % of the base population, at least one. */
export function newPeopleCount(contacts: number, run: number): number {
  return run <= 1 ? 0 : Math.max(1, Math.round(contacts * 0.02));
}

export interface Scenario {
  /** Everyone known after `run`, with their latest consent. */
  readonly people: SyntheticPerson[];
  /** People whose first appearance is this run. */
  readonly joined: readonly SyntheticPerson[];
  /** Run ≥ 2: Shopify customers whose next order carries `consent_ad_user_data: denied`. */
  readonly adConsentWithdrawn: readonly SyntheticPerson[];
  /** Run ≥ 2: SendGrid recipients who unsubscribe in this run. */
  readonly unsubscribed: readonly SyntheticPerson[];
}

/**
 * The people as of `run`: the `contacts` people of run 1, then per later run its newcomers and
 * its consent withdrawals (about 1 % of those eligible, at least one). Rebuilt from the seed each
 * time, so run N never needs the output of run N-1.
 */
export function scenario(seed: number, contacts: number, run: number): Scenario {
  const pool = pools(seed);
  const taken = new Set<string>();
  const people: SyntheticPerson[] = [];
  const rng = createRng(seed, "people", contacts);
  for (let i = 0; i < contacts; i++) people.push(makePerson(i, 1, rng, pool, taken));
  let joined: SyntheticPerson[] = run === 1 ? [...people] : [];
  let adConsentWithdrawn: SyntheticPerson[] = [];
  let unsubscribed: SyntheticPerson[] = [];
  for (let r = 2; r <= run; r++) {
    const joiner = createRng(seed, "people", contacts, r);
    const start = people.length;
    for (let k = 0; k < newPeopleCount(contacts, r); k++) {
      people.push(makePerson(people.length, r, joiner, pool, taken));
    }
    joined = people.slice(start);
    const withdraw = createRng(seed, "withdraw", contacts, r);
    adConsentWithdrawn = sample(
      people.filter((p) => p.firstRun < r && p.inShopify && p.adUserData === "granted"),
      withdraw,
    );
    unsubscribed = sample(
      people.filter((p) => p.firstRun < r && p.inSendgrid && !p.sendgridUnsubscribed),
      withdraw,
    );
    for (const person of adConsentWithdrawn) {
      person.adUserData = "denied";
      person.adPersonalization = "denied";
    }
    for (const person of unsubscribed) person.sendgridUnsubscribed = true;
  }
  return { people, joined, adConsentWithdrawn, unsubscribed };
}

/** About 1 % of `eligible`, at least one when there is anyone. */
function sample(eligible: readonly SyntheticPerson[], rng: Rng): SyntheticPerson[] {
  const target = Math.min(eligible.length, Math.max(1, Math.round(eligible.length * 0.01)));
  const chosen = new Set<SyntheticPerson>();
  while (chosen.size < target) chosen.add(rng.pick(eligible));
  return [...chosen];
}
