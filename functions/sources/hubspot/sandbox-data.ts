/**
 * The records a local HubSpot sandbox holds, in the shapes the CRM API answers with. Demo and
 * test code fills it; the sandbox server (`sandbox.ts`) pages, filters and rate-limits over it.
 */
export interface SandboxCrmObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
}

export interface SandboxDeal extends SandboxCrmObject {
  /** Every stage the deal went through, oldest first. */
  stageHistory: { value: string; timestamp: string }[];
}

export interface SandboxOwner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface HubspotSandboxData {
  contacts: SandboxCrmObject[];
  companies: SandboxCrmObject[];
  deals: SandboxDeal[];
  owners: SandboxOwner[];
  /** Associations by `<fromType>/<toType>`: from id → to ids. */
  associations: Record<string, Record<string, string[]>>;
}

export function emptySandboxData(): HubspotSandboxData {
  return { contacts: [], companies: [], deals: [], owners: [], associations: {} };
}

/** Records an association both ways, as HubSpot shows it from either side. */
export function associate(
  data: HubspotSandboxData,
  fromType: string,
  fromId: string,
  toType: string,
  toId: string,
): void {
  const add = (a: string, aId: string, b: string, bId: string) => {
    data.associations[`${a}/${b}`] ??= {};
    const table = data.associations[`${a}/${b}`] as Record<string, string[]>;
    table[aId] ??= [];
    const list = table[aId] as string[];
    if (!list.includes(bId)) list.push(bId);
  };
  add(fromType, fromId, toType, toId);
  add(toType, toId, fromType, fromId);
}
