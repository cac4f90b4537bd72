data "kuma_mesh_multi_zone_service_preview" "redis" {
  name = "redis"
  # The labels the service will carry: HostnameGenerators that select on them add hostnames.
  labels = {
    team = "cache"
  }

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

output "redis_preview" {
  value = {
    for z in data.kuma_mesh_multi_zone_service_preview.redis.zone : z.zone => {
      hostnames = z.hostnames
      services  = [for m in z.mesh_services : "${m.name}@${m.zone}"]
      warnings  = z.warnings
    }
  }
}
