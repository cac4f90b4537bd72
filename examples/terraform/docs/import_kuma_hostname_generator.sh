# <name> (a HostnameGenerator belongs to no mesh)
terraform import kuma_hostname_generator.mzs_short mzs-short
# or its KRI, as the control plane's `kri` field spells it (Kuma 2.13 and later); a zone's
# generator (a KRI with a zone) is not managed on the global control plane and cannot be imported
terraform import kuma_hostname_generator.mzs_short kri_hg____mzs-short_
# or the JSON ID form
terraform import kuma_hostname_generator.mzs_short '{"name": "mzs-short"}'
