# Secret Manager secrets: containers only. Values never pass through Terraform (no
# google_secret_manager_secret_version here, nothing in state); operators add versions with
# `gcloud secrets versions add` (docs/operations.md).
#
# Each secret names its readers: the identities that bind it as `env` and the only ones granted
# secretAccessor on it. Bindings name a version NUMBER (var.secret_versions), never `latest`: a
# deploy says exactly which key runs, a rotation is a reviewed change of that number, and rolling
# back is the previous number. The *_previous secrets hold the key being rotated out, bound only
# while a rotation is in progress so deliveries signed with either key verify. Replicas stay in
# var.region, like the rest of the data.

locals {
  secrets = merge({
    shopify_webhook_secret = {
      id      = "shopify-webhook-secret"
      env     = "SHOPIFY_WEBHOOK_SECRET"
      readers = ["ingest"]
      bound   = true
    }
    shopify_webhook_secret_previous = {
      id      = "shopify-webhook-secret-previous"
      env     = "SHOPIFY_WEBHOOK_SECRET_PREVIOUS"
      readers = ["ingest"]
      bound   = var.shopify_secret_rotation_in_progress
    }
    sendgrid_webhook_public_key = {
      id      = "sendgrid-webhook-public-key"
      env     = "SENDGRID_WEBHOOK_PUBLIC_KEY"
      readers = ["ingest"]
      bound   = true
    }
    sendgrid_webhook_public_key_previous = {
      id      = "sendgrid-webhook-public-key-previous"
      env     = "SENDGRID_WEBHOOK_PUBLIC_KEY_PREVIOUS"
      readers = ["ingest"]
      bound   = var.sendgrid_key_rotation_in_progress
    }
    meta_access_token = {
      id      = "meta-access-token"
      env     = "META_ACCESS_TOKEN"
      readers = concat(["activate_meta"], contains(local.realtime_destinations, "meta") ? ["realtime_purchase"] : [])
      bound   = true
    }
    # The privacy salt (docs/privacy.md): 32 random bytes, hex. It keys the suppression list that
    # ingest and pull consult before landing a record; it must never change.
    privacy_salt = {
      id      = "unistack-privacy-salt"
      env     = "UNISTACK_PRIVACY_SALT"
      readers = concat(["ingest", "privacy_requests"], contains(keys(local.functions), "pull") ? ["pull"] : [])
      bound   = true
    }
    # activate-google-ads has no secret: it calls the Data Manager API as its own identity.
    }, contains(keys(local.functions), "activate_sendgrid") ? {
    # A SendGrid API key with the Marketing and Suppressions scopes.
    sendgrid_api_key = {
      id      = "sendgrid-api-key"
      env     = "SENDGRID_API_KEY"
      readers = ["activate_sendgrid"]
      bound   = true
    }
    } : {}, contains(keys(local.functions), "activate_hubspot") ? {
    # A HubSpot private app token with crm.objects.contacts.write (and read, for the task
    # search); not the pull's HUBSPOT_ACCESS_TOKEN, which only reads.
    hubspot_private_app_token = {
      id      = "hubspot-private-app-token"
      env     = "HUBSPOT_PRIVATE_APP_TOKEN"
      readers = ["activate_hubspot"]
      bound   = true
    }
    } : {},
    # The token of each pulled source (var.pulls) under its own name, unless every configured
    # connection of the source reads it from a variable of its own (connection_secrets).
    { for key, secret in local.pull_tokens : key => { id = secret.id, env = secret.env, readers = ["pull"], bound = true } if contains(keys(var.pulls), secret.source) && !contains(local.remapped_tokens, key) },
    # Per-connection secrets: the env names a connection's `secrets` map points at (UNISTACK_CONNECTIONS).
    { for env, reader in var.connection_secrets : lower(env) => {
      id      = replace(lower(env), "_", "-")
      env     = env
      readers = [reader]
      bound   = true
  } })

  # What each pulled source reads under its own name (functions/sources/<source>/*api.ts).
  pull_tokens = {
    shopify_admin_access_token = { source = "shopify", id = "shopify-admin-access-token", env = "SHOPIFY_ADMIN_ACCESS_TOKEN" }
    # Google Ads: an OAuth client and the refresh token an account admin granted it; the pull
    # exchanges it for hour-long access tokens itself (functions/sources/google-ads/oauth.ts).
    google_ads_client_id       = { source = "google_ads", id = "google-ads-client-id", env = "GOOGLE_ADS_CLIENT_ID" }
    google_ads_client_secret   = { source = "google_ads", id = "google-ads-client-secret", env = "GOOGLE_ADS_CLIENT_SECRET" }
    google_ads_refresh_token   = { source = "google_ads", id = "google-ads-refresh-token", env = "GOOGLE_ADS_REFRESH_TOKEN" }
    google_ads_developer_token = { source = "google_ads", id = "google-ads-developer-token", env = "GOOGLE_ADS_DEVELOPER_TOKEN" }
    meta_ads_access_token      = { source = "meta_ads", id = "meta-ads-access-token", env = "META_ADS_ACCESS_TOKEN" }
    hubspot_access_token       = { source = "hubspot", id = "hubspot-access-token", env = "HUBSPOT_ACCESS_TOKEN" }
    # Zoom Server-to-Server OAuth app: the pull buys its own hour-long tokens with these.
    zoom_account_id    = { source = "zoom", id = "zoom-account-id", env = "ZOOM_ACCOUNT_ID" }
    zoom_client_id     = { source = "zoom", id = "zoom-client-id", env = "ZOOM_CLIENT_ID" }
    zoom_client_secret = { source = "zoom", id = "zoom-client-secret", env = "ZOOM_CLIENT_SECRET" }
    # A read-only key (Stats read): not the activation's sendgrid-api-key, which may write.
    sendgrid_read_api_key = { source = "sendgrid", id = "sendgrid-read-api-key", env = "SENDGRID_READ_API_KEY" }
  }

  # Tokens no connection reads under the source's own name: the source has configured connections
  # and each maps that name to another variable. One "<token>:remapped|own" per connection.
  token_uses = var.connections == null ? [] : flatten([for c in jsondecode(var.connections) : [
    for key, token in local.pull_tokens : "${key}:${try(c.secrets[token.env], null) == null ? "own" : "remapped"}" if c.source == token.source
  ]])
  remapped_tokens = [for key, token in local.pull_tokens : key if contains(local.token_uses, "${key}:remapped") && !contains(local.token_uses, "${key}:own")]

  bound_secrets = { for key, secret in local.secrets : key => merge(secret, { version = lookup(var.secret_versions, key, null) }) if secret.bound }
}

resource "google_secret_manager_secret" "secret" {
  for_each = local.secrets

  secret_id = each.value.id

  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  lifecycle {
    precondition {
      condition     = !local.secrets[each.key].bound || lookup(var.secret_versions, each.key, null) != null
      error_message = "secret_versions has no version number for ${each.key}, which is bound: add a version (gcloud secrets versions add ${each.value.id}) and set its number."
    }
  }
}

# One grant per (secret, reader), keyed "<secret>/<reader>".
resource "google_secret_manager_secret_iam_member" "reader" {
  for_each = merge([for key, secret in local.secrets : { for reader in secret.readers : "${key}/${reader}" => { secret = key, reader = reader } }]...)

  secret_id = google_secret_manager_secret.secret[each.value.secret].id
  role      = "roles/secretmanager.secretAccessor"
  member    = local.member[each.value.reader]
}
