# Column-level protection of contact details. A taxonomy with fine-grained access control on, one
# policy tag per kind of identifier (email, phone, address), and a masking data policy on each. The
# Dataform models tag those columns in staging and marts (bigqueryPolicyTags, from the compilation
# variables pii_tag_<kind>, docs/security.md). Then:
# - the pipeline identities that need the clear values (Dataform, plan-activation hashing for the ad
#   platforms) and the break-glass group are fine-grained readers;
# - data engineers and analysts are masked readers: they query the same tables and see a SHA-256 of
#   the email (joins and distinct counts still work) and the type's default masking value for phone
#   and address;
# - everyone else reading such a table gets an access-denied on those columns.

locals {
  pii_tags = {
    email   = { description = "E-mail addresses (normalized or raw).", masking = "SHA256" }
    phone   = { description = "Phone numbers.", masking = "DEFAULT_MASKING_VALUE" }
    address = { description = "Postal address lines, postcodes and cities.", masking = "DEFAULT_MASKING_VALUE" }
  }

  pii_clear_readers  = toset([local.member.dataform, local.member.plan_activation, "group:${var.groups.break_glass}"])
  pii_masked_readers = toset([for email in compact(concat([lookup(local.groups, "data_engineers", null), lookup(local.groups, "analysts", null)], flatten([for r in values(local.report_datasets) : r.analysts]))) : "group:${email}"])

  pii_clear_grants  = merge([for tag in keys(local.pii_tags) : { for m in local.pii_clear_readers : "${tag}/${m}" => { tag = tag, member = m } }]...)
  pii_masked_grants = merge([for tag in keys(local.pii_tags) : { for m in local.pii_masked_readers : "${tag}/${m}" => { tag = tag, member = m } }]...)
}

resource "google_data_catalog_taxonomy" "pii" {
  region                 = lower(var.bq_location)
  display_name           = "unistack-pii"
  description            = "Contact details in the Unistack warehouse. Enforced: only fine-grained readers see clear values."
  activated_policy_types = ["FINE_GRAINED_ACCESS_CONTROL"]
}

resource "google_data_catalog_policy_tag" "pii" {
  for_each = local.pii_tags

  taxonomy     = google_data_catalog_taxonomy.pii.id
  display_name = each.key
  description  = each.value.description
}

resource "google_bigquery_datapolicy_data_policy" "pii" {
  for_each = local.pii_tags

  location         = var.bq_location
  data_policy_id   = "unistack_pii_${each.key}"
  policy_tag       = google_data_catalog_policy_tag.pii[each.key].name
  data_policy_type = "DATA_MASKING_POLICY"

  data_masking_policy {
    predefined_expression = each.value.masking
  }
}

resource "google_data_catalog_policy_tag_iam_member" "clear" {
  for_each = local.pii_clear_grants

  policy_tag = google_data_catalog_policy_tag.pii[each.value.tag].name
  role       = "roles/datacatalog.categoryFineGrainedReader"
  member     = each.value.member
}

resource "google_bigquery_datapolicy_data_policy_iam_member" "masked" {
  for_each = local.pii_masked_grants

  location       = var.bq_location
  data_policy_id = google_bigquery_datapolicy_data_policy.pii[each.value.tag].data_policy_id
  role           = "roles/bigquerydatapolicy.maskedReader"
  member         = each.value.member
}

# Dataform sees the taxonomy so it can attach its tags (the custom role of infra/bootstrap).
resource "google_data_catalog_taxonomy_iam_member" "dataform_tags_columns" {
  taxonomy = google_data_catalog_taxonomy.pii.name
  role     = local.policy_tagger
  member   = local.member.dataform
}
