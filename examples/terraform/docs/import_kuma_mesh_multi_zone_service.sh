# <mesh>/<name>
terraform import kuma_mesh_multi_zone_service.redis default/redis
# or Kong's kong-mesh provider ID form
terraform import kuma_mesh_multi_zone_service.redis '{"mesh": "default", "name": "redis"}'
