resource "kuma_mesh_multi_zone_service" "redis" {
  mesh = "default"
  name = "redis"

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
  port {
    name         = "metrics"
    port         = 9121
    app_protocol = "http"
  }
}

output "redis_vips" {
  value = { for z in kuma_mesh_multi_zone_service.redis.zone_status : z.zone => z.vip }
}
