resource "kuma_hostname_generator" "mzs_short" {
  name     = "mzs-short"
  template = "{{ .DisplayName }}.mzs"

  selector {
    mesh_multi_zone_service {
      match_labels = {
        "kuma.io/origin" = "global"
      }
    }
  }
}
