/**
 * Source records of the identity benchmark, labelled with the person who made them: Shopify
 * orders (vendor payload shape, as staging reads it) and SendGrid events, corrupted the way real
 * data is: typos, nicknames, swapped first/last name, upper case and transliterations, phones in
 * national and international formats, missing email/phone/name/address, another of the person's
 * emails, a household email shared by two people, a mistyped email, day and month swapped in a
 * date of birth, a new address after a move. Rates are the constants below (see docs/benchmarks.md).
 */
import type { RawLine } from "../../functions/core/raw-table.js";
import { type Country, NICKNAMES, type Person, pick, type Rng, random } from "./people.js";

export const CORRUPTION = {
  noEmail: 0.15,
  otherEmail: 0.3,
  householdEmail: 0.5,
  emailTypo: 0.03,
  nickname: 0.15,
  nameTypo: 0.06,
  swappedNames: 0.04,
  upperCase: 0.1,
  noName: 0.05,
  noPhoneOnRecord: 0.3,
  streetTypo: 0.06,
  noAddress: 0.08,
  movedAddress: 0.05,
  birthDateOnRecord: 0.6,
  birthDateSwapped: 0.03,
  guestCheckout: 0.35,
} as const;

export interface LabelledRecords {
  readonly orders: RawLine[];
  readonly events: RawLine[];
  /** record_key (as int_identity__record_contacts names it) → person id. */
  readonly truth: Map<string, number>;
}

const CALLING: Record<Country, string> = { DE: "49", GB: "44", US: "1", FR: "33" };

function typo(rng: Rng, value: string): string {
  if (value.length < 3) return value;
  const i = 1 + Math.floor(rng() * (value.length - 2));
  const kind = rng();
  if (kind < 0.33) return value.slice(0, i) + value.slice(i + 1);
  if (kind < 0.66) return value.slice(0, i) + value[i + 1] + value[i] + value.slice(i + 2);
  return value.slice(0, i) + pick(rng, [..."aeinorst"]) + value.slice(i + 1);
}

const title = (s: string) => s.replace(/(^|[\s-])\p{L}/gu, (c) => c.toUpperCase());
const GERMAN: Record<string, string> = { ue: "ü", oe: "ö", ae: "ä" };

function spelled(rng: Rng, name: string): string {
  // Müller / Mueller / MUELLER: the same name as different people type it.
  let out = rng() < 0.3 ? name.replace(/ue|oe|ae/g, (m) => GERMAN[m] ?? m) : name;
  out = title(out);
  return rng() < CORRUPTION.upperCase ? out.toUpperCase() : out;
}

function phoneAs(rng: Rng, person: Person): string | null {
  if (!person.phone) return null;
  const local = person.phone;
  const cc = CALLING[person.country];
  const national = person.country === "US" ? local : `0${local}`;
  return pick(rng, [
    `+${cc}${local}`,
    `+${cc} ${local.slice(0, 3)} ${local.slice(3)}`,
    `00${cc} ${local}`,
    national,
    `${national.slice(0, 4)} / ${national.slice(4, 7)}-${national.slice(7)}`,
  ]);
}

function birthDateAs(rng: Rng, iso: string, country: Country): string {
  const [y, m, d] = iso.split("-");
  if (rng() < CORRUPTION.birthDateSwapped) return `${y}-${d}-${m}`;
  return pick(rng, [iso, country === "US" ? `${m}/${d}/${y}` : `${d}.${m}.${y}`]);
}

function orderPayload(rng: Rng, person: Person, orderId: string, at: string, moved: boolean) {
  const c = CORRUPTION;
  let email: string | null = pick(rng, person.emails);
  if (person.sharedEmail && rng() < c.householdEmail) email = person.sharedEmail;
  else if (rng() < c.otherEmail) email = person.emails.at(-1) ?? email;
  if (rng() < c.emailTypo) email = typo(rng, email);
  if (rng() < c.noEmail) email = null;
  let given = rng() < c.nickname ? (NICKNAMES[person.given] ?? person.given) : person.given;
  let family = person.family;
  if (rng() < c.nameTypo) given = typo(rng, given);
  if (rng() < c.nameTypo) family = typo(rng, family);
  if (rng() < c.swappedNames) [given, family] = [family, given];
  const named = rng() >= c.noName;
  const hasAddress = rng() >= c.noAddress;
  const street = rng() < c.streetTypo ? typo(rng, person.street) : person.street;
  const phone = rng() < c.noPhoneOnRecord ? null : phoneAs(rng, person);
  const attributes = [{ name: "gift_note", value: "none" }];
  if (person.birthDate && rng() < c.birthDateOnRecord) {
    attributes.push({
      name: "date_of_birth",
      value: birthDateAs(rng, person.birthDate, person.country),
    });
  }
  const guest = !person.customerId || rng() < c.guestCheckout;
  const name = (v: string) => (named ? spelled(rng, v) : null);
  const body = JSON.stringify({
    name: `#${orderId.slice(-6)}`,
    email,
    contact_email: email,
    created_at: at,
    updated_at: at,
    cancelled_at: null,
    test: false,
    total_price: "42.00",
    currency: "EUR",
    financial_status: "paid",
    phone: null,
    note_attributes: attributes,
    billing_address: hasAddress
      ? {
          first_name: name(given),
          last_name: name(family),
          // A person who moved orders from a new street and postcode in the same city.
          address1: moved ? `Marktplatz ${1 + Math.floor(rng() * 40)}` : title(street),
          city: title(person.city),
          zip: moved ? String(10_000 + Math.floor(rng() * 89_999)) : person.zip,
          country_code: person.country,
          phone,
        }
      : { country_code: person.country, phone },
    customer: {
      ...(guest ? {} : { id: 0 }),
      email,
      phone: null,
      first_name: name(given),
      last_name: name(family),
    },
  });
  const customer = guest
    ? body
    : body.replace('"customer":{"id":0,', `"customer":{"id":${person.customerId},`);
  return `{"id": ${orderId}, ${customer.slice(1)}`;
}

function rawLine(source: string, stream: string, recordId: string, payload: unknown): RawLine {
  return {
    _record_id: recordId,
    _source: source,
    _stream: stream,
    _received_at: "2026-11-30T00:00:00.000Z",
    _batch_id: "bench",
    _object: `raw/${source}/${stream}/dt=2026-11-30/bench.ndjson`,
    payload,
  };
}

/** 1–5 orders per person (mean ~2) and 0–4 email events per personal address. */
export function generateRecords(people: readonly Person[], seed: number): LabelledRecords {
  const rng = random(seed);
  const orders: RawLine[] = [];
  const events: RawLine[] = [];
  const truth = new Map<string, number>();
  let orderSeq = 5_000_000_000;
  const base = Date.parse("2026-11-30T00:00:00Z");
  for (const person of people) {
    const count = 1 + Math.min(4, Math.floor(-Math.log(1 - rng()) * 1.2));
    for (let i = 0; i < count; i += 1) {
      orderSeq += 1;
      const id = String(orderSeq);
      const at = new Date(base - Math.floor(rng() * 365) * 86_400_000).toISOString();
      const moved = i > 0 && rng() < CORRUPTION.movedAddress;
      orders.push(
        rawLine("shopify", "orders", `${id}-${at}`, orderPayload(rng, person, id, at, moved)),
      );
      truth.set(`shopify:order:${id}`, person.id);
    }
    for (const email of person.emails) {
      const n = Math.floor(rng() * 5);
      for (let i = 0; i < n; i += 1) {
        const id = `ev-${person.id}-${events.length}`;
        const at = Math.floor((base - Math.floor(rng() * 90) * 86_400_000) / 1000);
        events.push(
          rawLine("sendgrid", "events", id, {
            email,
            timestamp: at,
            event: pick(rng, ["delivered", "open", "click"]),
            sg_event_id: id,
            sg_message_id: `msg-${id}`,
            category: "newsletter",
          }),
        );
        truth.set(`sendgrid:email_event:${id}`, person.id);
      }
    }
  }
  return { orders, events, truth };
}
