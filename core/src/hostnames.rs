//! Hostnames: which HostnameGenerators apply to a MeshMultiZoneService, what they render, and the
//! resulting `status.addresses` / `status.hostnameGenerators` (including Kuma's collision rules).
