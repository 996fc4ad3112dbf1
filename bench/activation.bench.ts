/**
 * `npm run bench:activation`: the activation planner on its own at a fixed scale. Builds
 * `BENCH_MEMBERS` segment members (default 1,000,000: email, phone, first/last name, country,
 * zip, consent; 3 % without ad consent, 1 % with an unusable email) and times, per destination
 * (Meta multi-key, Google Ads Customer Match email + phone, Meta email only), what a run does
 * in memory between reading the segment and writing batch objects: normalize and hash each
 * member's identifiers (`identify`), diff against the last accepted snapshot, cut batches.
 *   - first sync: empty snapshot, every member an add;
 *   - next sync: the snapshot of the first, with 2 % of members changed (new email), 1 % gone.
 * Phones are what the segments hold: E.164 from the identity models (dim_contacts.phone).
 * `BENCH_TYPED_PHONES=1` gives national numbers as typed instead (DE/GB/US/FR formats), which
 * every member then pays libphonenumber's parse for (a segment of another origin).
 * Prints members/s; asserts nothing (no timing asserts anywhere).
 */
import { planBatches } from "../functions/core/activation/batches.js";
import { planMembershipDiff, type SnapshotMember } from "../functions/core/activation/diff.js";
import type { SegmentMember } from "../functions/core/activation/members.js";
import { parseSyncConfig, type SyncConfig } from "../functions/core/activation/sync-config.js";
import { googleAdsPlanSpec } from "../functions/destinations/google-ads/members.js";
import { metaPlanSpec } from "../functions/destinations/meta/members.js";
import type { PlanSpec } from "../functions/destinations/plan-spec.js";

const N = Number(process.env.BENCH_MEMBERS ?? 1_000_000);
const TYPED_PHONES = process.env.BENCH_TYPED_PHONES === "1";
const COLUMNS = ["email", "phone", "first_name", "last_name", "country_code", "zip"];

const FIRST = ["Anna", "Jürgen", "Émilie", "Li", "Sofía", "O'Brien", "Marie-Claire", "Noah"];
const LAST = ["Müller", "Smith", "García", "van der Berg", "Nowak", "Rossi", "Dubois", "Ng"];
/** Each place: the number as typed and the same number in E.164, as the identity models write it. */
const PLACES = [
  {
    country: "DE",
    typed: (i: number) => `0151 ${pad(i, 8)}`,
    e164: (i: number) => `+49151${pad(i, 8)}`,
    zip: "10115",
  },
  {
    country: "GB",
    typed: (i: number) => `07700 ${pad(i % 1e6, 6)}`,
    e164: (i: number) => `+447700${pad(i % 1e6, 6)}`,
    zip: "SW1A 1AA",
  },
  {
    country: "US",
    typed: (i: number) => `(212) 555-${pad(i % 1e4, 4)}`,
    e164: (i: number) => `+1212555${pad(i % 1e4, 4)}`,
    zip: "10001-0001",
  },
  {
    country: "FR",
    typed: (i: number) => `06 ${pad(i % 1e8, 8)}`,
    e164: (i: number) => `+336${pad(i % 1e8, 8)}`,
    zip: "75001",
  },
];

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

function member(i: number, generation: number): SegmentMember {
  const place = PLACES[i % PLACES.length] as (typeof PLACES)[number];
  const email =
    i % 100 === 7
      ? "not-an-email"
      : ` Person.${i}${generation ? `.v${generation}` : ""}@Example${i % 50}.com `;
  return {
    contactId: `c_${i}`,
    consent: {
      email_marketing: true,
      ad_user_data: i % 100 >= 3,
      ad_personalization: i % 100 >= 3,
    },
    values: {
      email,
      phone: TYPED_PHONES ? place.typed(i) : place.e164(i),
      first_name: FIRST[i % FIRST.length] ?? null,
      last_name: LAST[(i >> 3) % LAST.length] ?? null,
      country_code: place.country,
      zip: place.zip,
    },
  };
}

const SEGMENT = { dataset: "marts", table: "seg_recent_purchasers" };
const destinations: Array<{ label: string; sync: SyncConfig; spec: (s: SyncConfig) => PlanSpec }> =
  [
    {
      label: "Meta, EMAIL,PHONE,FN,LN,COUNTRY,ZIP",
      sync: parseSyncConfig({
        id: "bench_meta_multi",
        segment: SEGMENT,
        destination: "meta",
        audienceId: "23850000000000001",
        identifiers: ["email", "phone", "first_name", "last_name", "country", "zip"],
        requiredConsent: ["ad_user_data"],
      }),
      spec: (s) => metaPlanSpec(s as never, new Set(COLUMNS)),
    },
    {
      label: "Google Ads Customer Match, email + phone",
      sync: parseSyncConfig({
        id: "bench_google",
        segment: SEGMENT,
        destination: "google_ads",
        customerId: "1234567890",
        audienceId: "9876543",
        identifiers: ["email", "phone"],
        defaultRegion: "DE",
        requiredConsent: ["ad_user_data"],
      }),
      spec: (s) => googleAdsPlanSpec(s as never, new Set(COLUMNS)),
    },
    {
      label: "Meta, EMAIL_SHA256 only",
      sync: parseSyncConfig({
        id: "bench_meta_email",
        segment: SEGMENT,
        destination: "meta",
        audienceId: "23850000000000002",
        requiredConsent: ["ad_user_data"],
      }),
      spec: (s) => metaPlanSpec(s as never, new Set(COLUMNS)),
    },
  ];

const n = (v: number) => Math.round(v).toLocaleString("en");

function plan(
  sync: SyncConfig,
  spec: PlanSpec,
  members: SegmentMember[],
  snapshot: SnapshotMember[],
) {
  const started = performance.now();
  const diff = planMembershipDiff(members, snapshot, {
    requiredConsent: sync.requiredConsent,
    identify: (m) => spec.identify(m),
  });
  const batches = planBatches(diff, {
    sync,
    runId: "bench",
    plannedAt: new Date(0),
    schema: spec.schema,
  });
  return { diff, batches, ms: performance.now() - started };
}

const built = performance.now();
const first = Array.from({ length: N }, (_, i) => member(i, 0));
const next = first
  .filter((_, i) => i % 100 !== 50)
  .map((m, i) => (i % 50 === 1 ? member(Number(m.contactId.slice(2)), 1) : m));
console.log(
  `${n(N)} segment members (phones ${TYPED_PHONES ? "as typed" : "in E.164"}) built in ${n(performance.now() - built)} ms (node ${process.version})`,
);

for (const { label, sync, spec: specOf } of destinations) {
  const spec = specOf(sync);
  const one = plan(sync, spec, first, []);
  const snapshot: SnapshotMember[] = one.diff.adds.flatMap((item) =>
    item.contactIds.map((contactId) => ({
      contactId,
      identifierHash: item.identifierHash,
      digest: item.digest ?? null,
      keys: item.payload?.keys ?? null,
    })),
  );
  const two = plan(sync, spec, next, snapshot);
  console.log(`\n${label} (schema ${spec.schema})`);
  console.log(
    `  first sync: ${n(one.diff.adds.length)} adds in ${one.batches.length} batches, ` +
      `${n(one.ms)} ms → ${n((N / one.ms) * 1000)} members/s`,
  );
  console.log(
    `  next sync:  ${n(two.diff.adds.length)} adds, ${n(two.diff.updates.length)} updates, ` +
      `${n(two.diff.removes.length)} removes, ${n(two.diff.unchanged)} unchanged in ` +
      `${two.batches.length} batches, ${n(two.ms)} ms → ${n((next.length / two.ms) * 1000)} members/s`,
  );
}
