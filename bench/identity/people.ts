/**
 * True people for the identity accuracy benchmark: seeded, so a scale always yields the same
 * population. Names follow a skewed distribution (a few very common family names, a long tail),
 * households share an address and sometimes one email, siblings share a family name and address,
 * and some people have a second email or a shop account.
 */

export type Country = "DE" | "GB" | "US" | "FR";

export interface Person {
  readonly id: number;
  readonly given: string;
  readonly family: string;
  readonly country: Country;
  readonly street: string;
  readonly zip: string;
  readonly city: string;
  /** Local number digits (without country code or trunk prefix). */
  readonly phone: string | null;
  readonly birthDate: string | null;
  readonly emails: readonly string[];
  /** An email this person shares with another member of the household. */
  readonly sharedEmail: string | null;
  readonly customerId: string | null;
}

/** Seeded PRNG (mulberry32): the same seed always gives the same data set. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export type Rng = () => number;
export const pick = <T>(rng: Rng, list: readonly T[]): T =>
  list[Math.floor(rng() * list.length)] as T;
const int = (rng: Rng, from: number, to: number) => from + Math.floor(rng() * (to - from + 1));

/** Given names; the ones with a nickname get it in records now and then. */
export const NICKNAMES: Readonly<Record<string, string>> = {
  william: "bill",
  robert: "bob",
  elizabeth: "liz",
  katherine: "kate",
  michael: "mike",
  james: "jim",
  margaret: "maggie",
  thomas: "tom",
  alexander: "alex",
  johannes: "hans",
  christopher: "chris",
  jennifer: "jenny",
  daniel: "dan",
  stefanie: "steffi",
  matthew: "matt",
  anthony: "tony",
  patricia: "pat",
  joseph: "joe",
  nicholas: "nick",
  susanne: "susi",
};
const OTHER_GIVEN = `anna lena jonas lukas marie sophie emma noah ben paul mia lea finn leon julia
laura sarah david felix max hannah lina emil jana clara oliver charlotte amelia george harry
jack olivia isla chloe lucas hugo louise camille chiara mateo elena nora ida theo karl greta
frieda jakob moritz pia tim nina`.split(/\s+/);
const GIVEN = [...Object.keys(NICKNAMES), ...OTHER_GIVEN];
const COMMON_FAMILY = `mueller schmidt schneider fischer weber meyer wagner becker schulz hoffmann
smith jones williams brown taylor johnson miller davis martin bernard dubois`.split(/\s+/);
const SYLLABLES = "ka ro mi te la no vi sa du be lo ri an el or us ma ne ta ko".split(" ");
const STREETS = `haupt bahnhof garten schul kirch linden berg wald park dorf high station church
mill king queen oak elm maple pine cedar`.split(/\s+/);
const STREET_KIND: Record<Country, string> = {
  DE: "strasse",
  GB: "road",
  US: "street",
  FR: "rue",
};
const CITIES: Record<Country, readonly string[]> = {
  DE: ["berlin", "hamburg", "muenchen", "koeln", "leipzig", "bremen"],
  GB: ["london", "leeds", "bristol", "york", "oxford"],
  US: ["boston", "denver", "austin", "seattle", "portland"],
  FR: ["paris", "lyon", "nantes", "lille", "nice"],
};
const FREE_MAIL = ["gmail.com", "web.de", "gmx.de", "outlook.com", "yahoo.com", "icloud.com"];
const WORK_MAIL = ["acme.example", "globex.example", "initech.example", "umbrella.example"];

function familyName(rng: Rng): string {
  // Half the people carry one of 20 common names; the rest a rarer, generated one.
  if (rng() < 0.5) return pick(rng, COMMON_FAMILY);
  return `${pick(rng, SYLLABLES)}${pick(rng, SYLLABLES)}${pick(rng, ["nn", "rt", "ck", "s", "l"])}${pick(rng, ["er", "a", "o", "i", ""])}`;
}

function zipFor(rng: Rng, country: Country): string {
  if (country === "GB")
    return `${pick(rng, ["SW1", "LS2", "BS8", "YO1", "OX4"])} ${int(rng, 1, 9)}${pick(rng, ["AB", "DX", "JQ", "LT"])}`;
  return String(int(rng, 10_000, 99_999));
}

function localPhone(rng: Rng, country: Country): string {
  const digits = (n: number) => Array.from({ length: n }, () => int(rng, 0, 9)).join("");
  if (country === "DE") return `15${int(rng, 1, 9)}${digits(8)}`;
  if (country === "GB") return `7700${digits(6)}`;
  if (country === "US")
    return `${pick(rng, ["415", "617", "303", "512"])}${int(rng, 2, 9)}${digits(6)}`;
  return `6${digits(8)}`;
}

function email(rng: Rng, given: string, family: string, domain: string): string {
  const year = int(rng, 60, 99);
  return pick(rng, [
    `${given}.${family}@${domain}`,
    `${given[0]}${family}@${domain}`,
    `${given}${family}${year}@${domain}`,
    `${family}.${given}@${domain}`,
  ]);
}

/** `count` people; about 8% live with a sibling (same family name and address). */
export function generatePeople(count: number, seed: number): Person[] {
  const rng = random(seed);
  const people: Person[] = [];
  const taken = new Set<string>();
  while (people.length < count) {
    const country = pick(rng, ["DE", "DE", "GB", "US", "FR"] as const);
    const family = familyName(rng);
    const home = {
      country,
      street: `${pick(rng, STREETS)}${STREET_KIND[country]} ${int(rng, 1, 120)}`,
      zip: zipFor(rng, country),
      city: pick(rng, CITIES[country]),
    };
    const size = rng() < 0.08 ? 2 : 1;
    const household = size === 2 && rng() < 0.5 ? `${family}.family@${pick(rng, FREE_MAIL)}` : null;
    const givenNames = new Set<string>();
    for (let member = 0; member < size && people.length < count; member += 1) {
      let given = pick(rng, GIVEN);
      // Siblings have different given names (namesakes elsewhere come from the distribution).
      while (givenNames.has(given)) given = pick(rng, GIVEN);
      givenNames.add(given);
      const emails = [email(rng, given, family, pick(rng, FREE_MAIL))];
      if (rng() < 0.3) emails.push(email(rng, given, family, pick(rng, WORK_MAIL)));
      const id = people.length;
      people.push({
        id,
        given,
        family,
        ...home,
        phone: rng() < 0.7 ? localPhone(rng, country) : null,
        birthDate:
          rng() < 0.35
            ? `${int(rng, 1950, 2004)}-${String(int(rng, 1, 12)).padStart(2, "0")}-${String(int(rng, 1, 28)).padStart(2, "0")}`
            : null,
        // Two people never own one personal address: a taken one gets a distinguishing prefix.
        emails: emails.map((e) => {
          const own = taken.has(e) ? `${id}.${e}` : e;
          taken.add(own);
          return own;
        }),
        sharedEmail: household,
        customerId: rng() < 0.6 ? String(7_000_000_000 + id) : null,
      });
    }
  }
  return people;
}
