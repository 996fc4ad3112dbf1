import {
  associate,
  emptySandboxData,
  type HubspotSandboxData,
} from "../../../sources/hubspot/sandbox-data.js";
import { createRng, DAY_MS, isoMillis, messyEmail, slug } from "./kit.js";
import type { SyntheticPerson } from "./people.js";

const STAGES = [
  "appointmentscheduled",
  "qualifiedtobuy",
  "presentationscheduled",
  "decisionmakerboughtin",
  "contractsent",
] as const;
const LIFECYCLE = [
  "subscriber",
  "lead",
  "marketingqualifiedlead",
  "salesqualifiedlead",
  "opportunity",
  "customer",
] as const;

/**
 * The CRM the demo's HubSpot sandbox holds, for the same synthetic people the shop and the email
 * tool see: every B2B person (with a company) and a fifth of the others are contacts, with their
 * email spelled as sales typed it (case, padding), a lifecycle stage and an owner; companies
 * with their domain; deals on about half the companies, with stage history, amounts (a few
 * missing) and their contacts. Messy like a real portal: some contacts have no email, a few
 * people were entered twice. Deterministic for (seed, people, now).
 */
export function hubspotSandboxData(input: {
  readonly people: readonly SyntheticPerson[];
  readonly seed: number;
  readonly now: Date;
}): HubspotSandboxData {
  const rng = createRng(input.seed, "hubspot", input.people.length);
  const data = emptySandboxData();
  const nowMs = input.now.getTime();
  // Everything changed in the 60 days up to an hour before now (older than the pull's settle lag).
  const when = () =>
    isoMillis(nowMs - DAY_MS * 60 + Math.floor(rng.next() * (DAY_MS * 60 - 3_600_000)));
  const created = isoMillis(nowMs - DAY_MS * 400);
  for (let i = 1; i <= 5; i++) {
    data.owners.push({
      id: String(70_000 + i),
      email: `rep${i}@sales.example`,
      firstName: ["Ana", "Ben", "Chloé", "Dev", "Eva"][i - 1] as string,
      lastName: "Rep",
      userId: 9_000 + i,
      createdAt: created,
      updatedAt: created,
      archived: false,
    });
  }
  const companies = new Map<string, string>();
  let nextId = 1_000;
  for (const person of input.people) {
    if (!person.company && !rng.chance(0.2)) continue;
    const copies = rng.chance(0.02) ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      const id = String(++nextId);
      const modified = when();
      data.contacts.push({
        id,
        properties: {
          email: rng.chance(0.03)
            ? null
            : copy === 0
              ? messyEmail(person.email, rng)
              : person.email.toUpperCase(),
          firstname: person.firstName,
          lastname: person.lastName,
          phone: person.phone,
          company: person.company,
          country: person.countryCode,
          lifecyclestage: rng.pick(LIFECYCLE),
          hubspot_owner_id: `7000${rng.int(1, 5)}`,
          hs_email_optout: person.emailMarketing === "unsubscribed" ? "true" : "false",
          createdate: created,
          lastmodifieddate: modified,
        },
        createdAt: created,
        updatedAt: modified,
      });
      if (person.company) {
        let companyId = companies.get(person.company);
        if (!companyId) {
          companyId = String(5_000_000 + companies.size);
          companies.set(person.company, companyId);
          const modifiedCompany = when();
          data.companies.push({
            id: companyId,
            properties: {
              name: person.company,
              domain: `${slug(person.company).slice(0, 20) || "company"}.example`,
              country: person.countryCode,
              hubspot_owner_id: `7000${rng.int(1, 5)}`,
              createdate: created,
              hs_lastmodifieddate: modifiedCompany,
            },
            createdAt: created,
            updatedAt: modifiedCompany,
          });
        }
        associate(data, "contacts", id, "companies", companyId);
      }
    }
  }
  for (const company of data.companies) {
    if (!rng.chance(0.5)) continue;
    const id = String(9_000_000 + data.deals.length);
    const steps = rng.int(1, STAGES.length);
    const startMs = nowMs - DAY_MS * rng.int(20, 180);
    let stepMs = startMs;
    const history = Array.from({ length: steps }, (_, s) => {
      if (s > 0) stepMs += DAY_MS * rng.int(3, 20);
      return { value: STAGES[s] as string, timestamp: isoMillis(stepMs) };
    });
    const outcome = rng.next();
    if (outcome < 0.3)
      history.push({ value: "closedwon", timestamp: isoMillis(startMs + DAY_MS * 130) });
    else if (outcome < 0.45)
      history.push({ value: "closedlost", timestamp: isoMillis(startMs + DAY_MS * 130) });
    // Only what has happened by now (an hour ago: the pull's settle lag) is in the CRM.
    const past = history.filter((h, n) => n === 0 || Date.parse(h.timestamp) < nowMs - 3_600_000);
    history.splice(0, history.length, ...past);
    const last = history.at(-1) as { value: string; timestamp: string };
    const modified = isoMillis(Math.min(Date.parse(last.timestamp), nowMs - 3_600_000));
    data.deals.push({
      id,
      properties: {
        dealname: `${company.properties.name} — ${rng.pick(["renewal", "new business", "upsell"])}`,
        amount: rng.chance(0.05) ? null : `${rng.int(5, 400) * 250}.00`,
        deal_currency_code: "EUR",
        dealstage: last.value,
        pipeline: "default",
        closedate: last.value.startsWith("closed") ? last.timestamp : null,
        hubspot_owner_id: company.properties.hubspot_owner_id ?? null,
        createdate: history[0]?.timestamp ?? created,
        hs_lastmodifieddate: modified,
      },
      createdAt: history[0]?.timestamp ?? created,
      updatedAt: modified,
      stageHistory: history,
    });
    associate(data, "deals", id, "companies", company.id);
    const people = data.associations["companies/contacts"]?.[company.id] ?? [];
    for (const contactId of people.slice(0, 3)) associate(data, "deals", id, "contacts", contactId);
  }
  return data;
}
