/**
 * Column-level protection (docs/security.md, infra/pii.tf). A column holding contact details is
 * declared with `pii.column(kind, description)`: in the cloud the scheduled compilation passes the
 * policy tag of each kind as the variable `pii_tag_<kind>` (email, phone, address), and Dataform
 * attaches it to the column, so BigQuery masks it for masked readers and denies it to everyone
 * else. Without the variable (local runs, a project without the taxonomy) the column is plain.
 */
function column(kind, description) {
  const vars = dataform.projectConfig.vars || {};
  const tag = vars[`pii_tag_${kind}`];
  return tag ? { description, bigqueryPolicyTags: [tag] } : description;
}

module.exports = { column };
