terraform {
  required_providers {
    # A made-up host: `make install` puts the provider in the local plugin mirror there.
    kuma = { source = "kuma-mzs.local/kuma/kuma" }
  }
}

provider "kuma" {
  endpoint = "http://127.0.0.1:5681" # or KUMA_ENDPOINT
  # token = "..."                    # or KUMA_TOKEN
  # kuma_version = "3.0"            # optional: read from the control plane (GET /)
  # operation_timeout = "60s"        # deadline of one operation, retries included

  zone {
    name     = "east"
    endpoint = "http://127.0.0.1:5682"
  }
  zone {
    name     = "west"
    endpoint = "http://127.0.0.1:5683"
  }
}
