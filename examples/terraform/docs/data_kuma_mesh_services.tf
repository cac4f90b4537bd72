data "kuma_mesh_services" "redis" {
  labels = {
    "kuma.io/display-name" = "redis"
  }
}

output "redis_zones" {
  value = [for s in data.kuma_mesh_services.redis.items : s.zone]
}
