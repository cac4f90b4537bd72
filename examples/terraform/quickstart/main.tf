# Quickstart: one MeshMultiZoneService grouping the `redis` MeshServices of every zone, plus a
# preview of what each zone computes. `make demo` runs it against kuma-local (global + east + west).
terraform {
  required_providers {
    kuma = {
      source = "kuma-mzs.local/kuma/kuma"
    }
  }
}

variable "endpoint" {
  description = "Kuma API of the global control plane."
  type        = string
  default     = "http://127.0.0.1:5681"
}

variable "token" {
  description = "Kuma admin/user token (or set KUMA_TOKEN)."
  type        = string
  default     = null
  sensitive   = true
}

variable "zones" {
  description = "Zone control planes to read per-zone status from: name => API URL."
  type        = map(string)
  default     = {}
}

provider "kuma" {
  endpoint = var.endpoint
  token    = var.token

  dynamic "zone" {
    for_each = var.zones
    content {
      name     = zone.key
      endpoint = zone.value
    }
  }
}

locals {
  # Shared with the preview below: HostnameGenerators select services by their labels.
  redis_labels = {
    team = "cache"
  }
}

resource "kuma_mesh_multi_zone_service" "redis" {
  name   = "redis"
  labels = local.redis_labels

  selector {
    mesh_service {
      match_labels = {
        "kuma.io/display-name" = "redis"
      }
    }
  }

  port {
    port = 6379
  }
}

# Works before anything exists: the core preview engine over the live MeshServices.
data "kuma_mesh_multi_zone_service_preview" "redis" {
  name   = "redis"
  labels = local.redis_labels

  selector {
    mesh_service {
      match_labels = {
        "kuma.io/display-name" = "redis"
      }
    }
  }

  port {
    port = 6379
  }
}

output "zone_status" {
  description = "Per zone: synced/pending/unreachable, VIP, hostnames and matched MeshServices."
  value = {
    for z in kuma_mesh_multi_zone_service.redis.zone_status : z.zone => {
      state         = z.state
      vip           = z.vip
      hostnames     = z.hostnames
      mesh_services = [for m in z.mesh_services : "${m.name}@${m.zone}"]
    }
  }
}

output "preview" {
  description = "What each zone would compute (from the preview data source)."
  value = {
    for z in data.kuma_mesh_multi_zone_service_preview.redis.zone : z.zone => {
      vip           = z.vip
      vip_estimated = z.vip_estimated
      hostnames     = z.hostnames
      mesh_services = [for m in z.mesh_services : "${m.name}@${m.zone}"]
      warnings      = z.warnings
    }
  }
}
