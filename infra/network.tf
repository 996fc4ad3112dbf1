# Optional egress restriction (var.restrict_egress, docs/security.md "Egress"). The services that
# only talk to Google APIs (ingest, load-raw, plan-activation) send ALL their traffic into a VPC
# that has no Cloud NAT and gives them no external address: from there only Google APIs are
# reachable (Private Google Access), so code that runs in them cannot send data anywhere else.
# activate-meta stays outside: it must reach graph.facebook.com.

locals {
  egress_restricted = var.restrict_egress ? toset(["ingest", "load_raw", "plan_activation"]) : toset([])
}

resource "google_compute_network" "egress" {
  count = var.restrict_egress ? 1 : 0

  name                    = "unistack-egress"
  description             = "Google-APIs-only egress of the Unistack services: no NAT, no external addresses."
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"
}

resource "google_compute_subnetwork" "egress" {
  count = var.restrict_egress ? 1 : 0

  name                     = "unistack-egress"
  region                   = var.region
  network                  = google_compute_network.egress[0].id
  ip_cidr_range            = var.egress_subnet_cidr
  private_ip_google_access = true
}
