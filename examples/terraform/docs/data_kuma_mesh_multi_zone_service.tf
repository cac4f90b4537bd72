data "kuma_mesh_multi_zone_service" "redis" {
  mesh = "default"
  name = "redis"
}

output "redis_kri" {
  value = data.kuma_mesh_multi_zone_service.redis.kri
}
