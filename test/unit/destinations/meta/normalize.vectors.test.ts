import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type EmailRules,
  META_FIELDS,
  type MetaField,
  normalizeAndHash,
  normalizeField,
  sha256Hex,
} from "../../../../functions/destinations/meta/normalize.js";
import { vectorFile } from "../../../vectors-dir.js";

/**
 * Every vector of Meta's SDKs for the fields we implement. Fields skipped on purpose (they are
 * not Custom Audience match keys, or Meta's SDKs disagree with each other on them):
 * db / date_of_birth (CAPI only; Custom Audiences take DOBD/DOBM/DOBY), external_id (the PHP
 * SDK sends it in clear, capi-param-builder hashes it), currency and delivery_category (CAPI
 * event fields, not identifiers).
 */
const SKIPPED = new Set(["db", "date_of_birth", "external_id", "currency", "delivery_category"]);

const CAPI_TYPES: Record<string, MetaField> = {
  email: "em",
  phone: "ph",
  first_name: "fn",
  last_name: "ln",
  gender: "ge",
  city: "ct",
  state: "st",
  country: "country",
  zip_code: "zp",
};

const path = vectorFile("meta-normalization.json");
const Input = z.string().nullable();
const Vector = z.object({
  field: z.string().optional(),
  data_type: z.string().optional(),
  function: z.string().optional(),
  input: Input,
  expected: z.unknown().optional(),
  expected_normalized: Input.optional(),
  expected_output: Input.optional(),
  expected_normalize_output: z.union([z.string(), z.array(z.string())]).optional(),
  sha256_of_expected_normalized: z.string().optional(),
  expected_sha256_part: z.string().optional(),
});
type Vector = z.infer<typeof Vector>;
const File = z.object({
  vector_count: z.number(),
  sections: z.object({
    php_business_sdk_server_side_normalize: z.object({
      vectors: z.array(Vector),
      error_cases: z.array(Vector),
    }),
    php_business_sdk_userdata_normalize: z.object({ vectors: z.array(Vector) }),
    python_business_sdk_normalize: z.object({
      vectors: z.array(Vector),
      error_cases: z.array(Vector),
      valid_emails_hash_to_64_chars: z.array(z.string()),
    }),
    nodejs_business_sdk_server_side_utils: z.object({ vectors: z.array(Vector) }),
    capi_param_builder_php_pii_utils: z.object({
      normalized_vectors: z.array(Vector),
      hashed_vectors: z.array(Vector),
    }),
    capi_param_builder_nodejs_email_phone: z.object({ vectors: z.array(Vector) }),
  }),
});
const { sections } = File.parse(JSON.parse(readFileSync(path, "utf8")));

function fieldOf(v: Vector): MetaField | undefined {
  const name = v.field ?? (v.data_type ? (CAPI_TYPES[v.data_type] ?? v.data_type) : undefined);
  return (META_FIELDS as readonly string[]).includes(name ?? "") ? (name as MetaField) : undefined;
}

/** Vectors of implemented fields, as `[label, field, vector]`. */
function covered(vectors: readonly Vector[]): Array<[string, MetaField, Vector]> {
  const out: Array<[string, MetaField, Vector]> = [];
  for (const v of vectors) {
    const field = fieldOf(v);
    if (field) out.push([`${field} ${JSON.stringify(v.input)}`, field, v]);
  }
  return out;
}

describe("Meta normalization coverage", () => {
  it("leaves out only the fields documented as skipped", () => {
    const all = Object.values(sections).flatMap((s) =>
      Object.values(s).flatMap((list) =>
        Array.isArray(list) ? list.filter((v): v is Vector => typeof v === "object") : [],
      ),
    );
    const fieldless = all.filter((v) => !fieldOf(v) && v.function !== "ServerSideUtils.toSHA256");
    const skipped = new Set(fieldless.map((v) => v.field ?? v.data_type));
    expect([...skipped].sort()).toEqual([...SKIPPED].sort());
  });
});

describe("Meta normalization: PHP business SDK ServerSide Normalizer", () => {
  const s = sections.php_business_sdk_server_side_normalize;
  const rules: EmailRules = "php-sdk";
  it.each(covered(s.vectors))("normalizes %s as the SDK does", (_, field, v) => {
    expect(normalizeField(field, v.input, { emailRules: rules })).toBe(v.expected_normalized);
    if (v.sha256_of_expected_normalized) {
      expect(normalizeAndHash(field, v.input, { emailRules: rules })).toBe(
        v.sha256_of_expected_normalized,
      );
    }
  });
  it.each(covered(s.error_cases))("refuses %s, which the SDK throws on", (_, field, v) => {
    expect(normalizeField(field, v.input, { emailRules: rules })).toBeNull();
    expect(normalizeAndHash(field, v.input, { emailRules: rules })).toBeNull();
  });
});

describe("Meta normalization: PHP business SDK UserData", () => {
  const s = sections.php_business_sdk_userdata_normalize;
  it.each(covered(s.vectors))("hashes %s as the SDK does", (_, field, v) => {
    const expected = v.expected_normalize_output;
    expect(normalizeAndHash(field, v.input)).toBe(Array.isArray(expected) ? expected[0] : expected);
  });
});

describe("Meta normalization: Python business SDK", () => {
  const s = sections.python_business_sdk_normalize;
  const rules: EmailRules = "python-sdk";
  it.each(covered(s.vectors))("hashes %s as normalize_field does", (_, field, v) => {
    expect(normalizeAndHash(field, v.input, { emailRules: rules })).toBe(v.expected_output);
  });
  it.each(covered(s.error_cases))("refuses %s, which the SDK raises on", (_, field, v) => {
    expect(normalizeField(field, v.input, { emailRules: rules })).toBeNull();
  });
  it.each(s.valid_emails_hash_to_64_chars)("hashes the valid email %j to 64 hex", (email) => {
    expect(normalizeAndHash("em", email, { emailRules: rules })).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("Meta normalization: Node business SDK ServerSideUtils", () => {
  const s = sections.nodejs_business_sdk_server_side_utils;
  const [sha, ...rest] = [
    s.vectors.find((v) => v.function === "ServerSideUtils.toSHA256"),
    ...s.vectors.filter((v) => v.function === "ServerSideUtils.normalizeAndHash"),
  ];
  it("hashes with SHA-256 to lower-case hex", () => {
    expect(sha256Hex(sha?.input ?? "")).toBe(sha?.expected_output);
  });
  it.each(covered(rest))("normalizeAndHash %s as the SDK does", (_, field, v) => {
    const expected = v.expected === "throws" ? null : v.expected_output;
    expect(normalizeAndHash(field, v.input)).toBe(expected);
  });
});

describe("Meta normalization: capi-param-builder PHP PIIUtils", () => {
  const s = sections.capi_param_builder_php_pii_utils;
  it.each(covered(s.normalized_vectors))("normalizes %s", (_, field, v) => {
    expect(normalizeField(field, v.input)).toBe(v.expected_normalized);
  });
  it.each(covered(s.hashed_vectors))("hashes %s (the 64-hex part)", (_, field, v) => {
    expect(normalizeAndHash(field, v.input)).toBe(v.expected_sha256_part ?? null);
  });
});

describe("Meta normalization: capi-param-builder Node email and phone", () => {
  const s = sections.capi_param_builder_nodejs_email_phone;
  it.each(covered(s.vectors))("normalizes %s", (_, field, v) => {
    expect(normalizeField(field, v.input)).toBe(v.expected_normalized);
  });
});
