import type { HeldMember } from "./sandbox-rules.js";

/**
 * A user list: Google matches a member on any of its identifiers (an address counts as one), so
 * an add merges into every member sharing one and a remove takes out every member sharing one.
 */
export class ListMembers {
  readonly #byId = new Map<string, Record<string, string>>();

  add(member: HeldMember): void {
    const merged: Record<string, string> = {};
    for (const held of this.#matches(member)) {
      Object.assign(merged, held);
      this.#unindex(held);
    }
    Object.assign(merged, member);
    for (const id of idsOf(merged)) this.#byId.set(id, merged);
  }

  remove(member: HeldMember): void {
    for (const held of this.#matches(member)) this.#unindex(held);
  }

  all(): HeldMember[] {
    return [...new Set(this.#byId.values())].map((m) => ({ ...m }));
  }

  #matches(member: HeldMember): Set<Record<string, string>> {
    const found = new Set<Record<string, string>>();
    for (const id of idsOf(member)) {
      const held = this.#byId.get(id);
      if (held) found.add(held);
    }
    return found;
  }

  #unindex(held: HeldMember): void {
    for (const id of idsOf(held)) if (this.#byId.get(id) === held) this.#byId.delete(id);
  }
}

function idsOf(m: HeldMember): string[] {
  const ids: string[] = [];
  if (m.email) ids.push(`e:${m.email}`);
  if (m.phone) ids.push(`p:${m.phone}`);
  if (m.given_name) ids.push(`a:${addressOf(m)}`);
  return ids;
}

export const addressOf = (m: HeldMember) =>
  [m.given_name, m.family_name, m.region_code, m.postal_code].join("|");
