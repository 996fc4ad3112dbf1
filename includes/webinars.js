/**
 * Webinar lead settings (analytics/webinar_leads and the webinar reports), validated at compile
 * time so a bad setting fails the compile with the var's name:
 * - webinar_hot_score: a lead whose score reaches it is hot and routed to sales (default 60);
 * - webinar_sla_hours: first contact by sales is due this many hours after routing (default 24);
 * - webinar_engagement_days: prior engagement counts email clicks in these days before the
 *   webinar (default 90);
 * - webinar_territories: JSON object region → list of HubSpot owner ids; a hot lead of a listed
 *   region goes round-robin to that territory's owners, other leads round-robin to every active
 *   HubSpot owner (default {}: round-robin only). A lead whose CRM contact already has an owner
 *   keeps that owner.
 */
function vars() {
  return dataform.projectConfig.vars ?? {};
}

function positiveInt(name, fallback, max) {
  const raw = vars()[name] ?? fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > max)
    throw new Error(`${name} must be a whole number from 1 to ${max}; got "${raw}"`);
  return value;
}

const hotScore = () => positiveInt("webinar_hot_score", 60, 100);
const slaHours = () => positiveInt("webinar_sla_hours", 24, 24 * 30);
const engagementDays = () => positiveInt("webinar_engagement_days", 90, 730);

/** The configured territories as [region, owner_id, position] rows. */
function territoryRows() {
  const raw = vars().webinar_territories;
  if (!raw) return [];
  let parsed;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(`webinar_territories is not JSON: ${error.message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new Error("webinar_territories must be a JSON object region → owner ids");
  const rows = [];
  for (const [region, owners] of Object.entries(parsed)) {
    if (!/^[A-Za-z0-9 &/-]{1,40}$/.test(region))
      throw new Error(`webinar_territories: bad region name "${region}"`);
    if (
      !Array.isArray(owners) ||
      owners.length === 0 ||
      !owners.every((o) => /^[0-9]{1,20}$/.test(String(o)))
    )
      throw new Error(`webinar_territories: "${region}" must list HubSpot owner ids (digits)`);
    for (const [i, owner] of owners.entries()) rows.push([region, String(owner), i]);
  }
  return rows;
}

/** SQL rows (region, owner_id, position, owners) of the territories; one NULL row when none. */
function territoriesSql() {
  const rows = territoryRows();
  if (rows.length === 0)
    return `SELECT CAST(NULL AS ${dialect.typeName("STRING")}) AS region, CAST(NULL AS ${dialect.typeName("STRING")}) AS owner_id, 0 AS position, 0 AS owners`;
  const counts = {};
  for (const [region] of rows) counts[region] = (counts[region] ?? 0) + 1;
  return rows
    .map(
      ([region, owner, i]) =>
        `SELECT '${region}' AS region, '${owner}' AS owner_id, ${i} AS position, ${counts[region]} AS owners`,
    )
    .join("\n  UNION ALL ");
}

module.exports = { hotScore, slaHours, engagementDays, territoriesSql };
