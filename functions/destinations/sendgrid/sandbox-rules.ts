/**
 * SendGrid's rules for `PUT /v3/marketing/contacts`, as the sandbox enforces them
 * (docs.sendgrid.com, "Add or Update a Contact"; SPEC-reliability §3): ≤ 30,000 contacts and
 * ≤ 6 MB per request, `list_ids` of existing lists, every contact with a valid email, reserved
 * fields by name, custom fields only by the id of a field that exists.
 */

export type SandboxContact = Readonly<Record<string, unknown>>;

const RESERVED = new Set([
  "email",
  "first_name",
  "last_name",
  "phone_number",
  "city",
  "country",
  "postal_code",
  "custom_fields",
]);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkUpsert(
  json: Record<string, unknown>,
  bytes: number,
  known: { readonly lists: ReadonlySet<string>; readonly customFields: ReadonlySet<string> },
):
  | { readonly listIds: string[]; readonly contacts: SandboxContact[] }
  | { readonly status: number; readonly errors: Array<{ field: string | null; message: string }> } {
  const bad = (field: string | null, message: string, status = 400) => ({
    status,
    errors: [{ field, message }],
  });
  if (bytes > 6 * 1024 * 1024) return bad(null, "request body is larger than 6 MB", 413);
  const contacts = Array.isArray(json.contacts) ? (json.contacts as SandboxContact[]) : [];
  if (contacts.length === 0) return bad("contacts", "at least one contact is required");
  if (contacts.length > 30_000) return bad("contacts", "at most 30,000 contacts per request");
  const listIds = Array.isArray(json.list_ids) ? json.list_ids.map(String) : [];
  for (const [i, id] of listIds.entries()) {
    if (!known.lists.has(id)) return bad(`list_ids[${i}]`, "list does not exist", 404);
  }
  for (const [i, contact] of contacts.entries()) {
    if (typeof contact.email !== "string" || !EMAIL.test(contact.email)) {
      return bad(`contacts[${i}].email`, "a valid email is required");
    }
    for (const name of Object.keys(contact)) {
      if (!RESERVED.has(name)) return bad(`contacts[${i}].${name}`, "not a reserved field");
    }
    const custom = (contact.custom_fields ?? {}) as Record<string, unknown>;
    for (const id of Object.keys(custom)) {
      if (!known.customFields.has(id)) {
        return bad(`contacts[${i}].custom_fields.${id}`, "custom field does not exist");
      }
    }
  }
  return { listIds, contacts };
}
