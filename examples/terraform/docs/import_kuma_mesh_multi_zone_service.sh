# <mesh>/<name>
terraform import kuma_mesh_multi_zone_service.redis default/redis
# or its KRI, as the control plane's `kri` field and `GET /_kri/...` spell it
terraform import kuma_mesh_multi_zone_service.redis kri_mzsvc_default___redis_
# or a bare name (mesh `default`)
terraform import kuma_mesh_multi_zone_service.redis redis
# or Kong's kong-mesh provider ID form
terraform import kuma_mesh_multi_zone_service.redis '{"mesh": "default", "name": "redis"}'
