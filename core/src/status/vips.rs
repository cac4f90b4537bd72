//! VIP allocation: each zone hands every MeshMultiZoneService one virtual IP from the MZS CIDR
//! (Kuma's default `243.0.0.0/8`, `KUMA_IPAM_MESH_MULTI_ZONE_SERVICE_CIDR`) and every MeshService
//! one from the MeshService CIDR (`241.0.0.0/8`, `KUMA_IPAM_MESH_SERVICE_CIDR`), with one
//! allocator per type and the same policy; [`VipHolding`] is what one service holds.
//!
//! # Policy
//!
//! [`VipAllocator::allocate`] hands out the **lowest free address at or after a cursor**, then
//! moves the cursor just past it; when nothing is free up to the end of the CIDR it wraps to the
//! first address once, and fails with [`VipError::Exhausted`] when the whole CIDR is taken. A
//! released address therefore comes back only after the cursor has wrapped around the whole range,
//! so a deleted MZS's VIP is not handed to the next new MZS (clients and DNS caches may still hold
//! it). [`VipAllocator::reserve`] takes a specific address (an MZS that already carries
//! `status.vips` keeps it) without moving the cursor.
//!
//! The allocator is deterministic: the same sequence of calls always yields the same addresses.
//! Allocated addresses are kept as a map of disjoint, non-adjacent inclusive intervals, so a
//! sequential run of a million allocations is one interval and every operation is `O(log n)` in
//! the number of intervals (no per-address set, no scan).
//!
//! # Kuma's allocator, and where we differ
//!
//! Kuma (`pkg/core/resources/apis/core/vip/allocator.go`, on `github.com/Nordix/simple-ipam`)
//! behaves the same for first allocations: the first VIP is the **network address** `243.0.0.0`,
//! then `243.0.0.1`, ...; the broadcast address is not excluded either. We copy that, so a preview
//! shows the VIPs a fresh zone would hand out. Kuma's quirks that we document but do not copy:
//! - no explicit free: a deleted MZS's VIP is only reused after the control plane restarts (or the
//!   leader changes), when the IPAM is rebuilt from the VIPs present with the cursor back at the
//!   start, so a freed low address can then be handed out again at once (Kuma relies on DNS TTLs);
//! - when writing the status fails (conflict), the address stays allocated in memory and the MZS
//!   gets another one on the next tick: the first address **leaks** until restart. We have no
//!   failed writes (the preview is pure), and [`VipAllocator::release`] exists for callers that do,
//!   so nothing leaks;
//! - reserving existing VIPs ignores "already allocated": two MZS can keep the same VIP. The
//!   preview engine gives the second holder a fresh VIP instead.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

/// Kuma's IPAM settings (`ipam.meshService.cidr`, `ipam.meshMultiZoneService.cidr`) are wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrConfigError {
    /// Not an IPv4 CIDR (Kuma: `.MeshServiceCIDR is invalid`).
    #[error("{setting}: {value:?} is not an IPv4 CIDR such as 241.0.0.0/8")]
    Invalid {
        /// The setting, e.g. `ipam.meshService.cidr`.
        setting: &'static str,
        /// What was given.
        value: String,
    },
    /// Two service types would draw VIPs from overlapping ranges.
    #[error("{first} {first_cidr} overlaps {second} {second_cidr}: a MeshService and a MeshMultiZoneService could get the same VIP")]
    Overlap {
        /// One setting.
        first: &'static str,
        /// Its CIDR.
        first_cidr: Ipv4Net,
        /// The other setting.
        second: &'static str,
        /// Its CIDR.
        second_cidr: Ipv4Net,
    },
}

/// Parse one IPAM CIDR as Go's `net.ParseCIDR` does for Kuma: the network of the given prefix
/// (`241.0.0.7/8` is `241.0.0.0/8`), so allocation starts at its first address.
pub fn parse_cidr(setting: &'static str, value: &str) -> Result<Ipv4Net, CidrConfigError> {
    value
        .trim()
        .parse::<Ipv4Net>()
        .map(|net| net.trunc())
        .map_err(|_| CidrConfigError::Invalid {
            setting,
            value: value.to_owned(),
        })
}

/// The MeshService and MeshMultiZoneService CIDRs must not overlap. Kuma does not check this
/// (and keeps one allocator per CIDR string, so equal CIDRs would lose one service type's
/// pool); two services of different types would then answer on the same VIP.
pub fn check_cidrs(mesh_service: Ipv4Net, mzs: Ipv4Net) -> Result<(), CidrConfigError> {
    if mesh_service.contains(&mzs.network()) || mzs.contains(&mesh_service.network()) {
        return Err(CidrConfigError::Overlap {
            first: "ipam.meshService.cidr",
            first_cidr: mesh_service,
            second: "ipam.meshMultiZoneService.cidr",
            second_cidr: mzs,
        });
    }
    Ok(())
}

/// Why an allocation or reservation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VipError {
    /// Every address of the CIDR is taken (Kuma logs `No addresses left`).
    #[error("no addresses left in {cidr}")]
    Exhausted {
        /// The exhausted CIDR.
        cidr: Ipv4Net,
    },
    /// The address is not inside the CIDR.
    #[error("{ip} is outside {cidr}")]
    OutsideCidr {
        /// The address.
        ip: Ipv4Addr,
        /// The CIDR.
        cidr: Ipv4Net,
    },
    /// The address is already taken.
    #[error("{ip} is already allocated")]
    AlreadyAllocated {
        /// The address.
        ip: Ipv4Addr,
    },
}

/// A deterministic VIP allocator over one CIDR (see the module doc for the policy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VipAllocator {
    cidr: Ipv4Net,
    first: u64,
    last: u64,
    /// Next address to try.
    cursor: u64,
    /// Allocated addresses: (start, end) intervals, inclusive, sorted, disjoint and never
    /// adjacent. A sorted list rather than a `BTreeMap`: allocations are mostly consecutive, so
    /// the intervals are few, and the map's code is large in the WebAssembly build.
    taken: Vec<(u64, u64)>,
    count: u64,
}

impl VipAllocator {
    /// An empty allocator over `cidr` (the host bits of `cidr` are ignored).
    pub fn new(cidr: Ipv4Net) -> Self {
        let cidr = cidr.trunc();
        let first = u64::from(u32::from(cidr.network()));
        let last = u64::from(u32::from(cidr.broadcast()));
        Self {
            cidr,
            first,
            last,
            cursor: first,
            taken: Vec::new(),
            count: 0,
        }
    }

    /// The CIDR addresses come from.
    pub fn cidr(&self) -> Ipv4Net {
        self.cidr
    }

    /// How many addresses are allocated.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Whether nothing is allocated.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// How many addresses the CIDR holds.
    pub fn capacity(&self) -> u64 {
        self.last - self.first + 1
    }

    /// Whether `ip` is allocated.
    pub fn is_allocated(&self, ip: Ipv4Addr) -> bool {
        let ip = u64::from(u32::from(ip));
        self.interval_containing(ip).is_some()
    }

    /// Where the next search starts: the address after the last one handed out (the first
    /// address of the CIDR before any). A zone that reports it lets a preview predict the zone's
    /// next VIP exactly ([`crate::zone_vip::next_vip`]).
    pub fn cursor(&self) -> Ipv4Addr {
        to_addr(self.cursor)
    }

    /// Move the cursor to `ip` (what a zone reported), as if the address before it had just
    /// been handed out.
    pub fn set_cursor(&mut self, ip: Ipv4Addr) -> Result<(), VipError> {
        if !self.cidr.contains(&ip) {
            return Err(VipError::OutsideCidr {
                ip,
                cidr: self.cidr,
            });
        }
        self.cursor = u64::from(u32::from(ip));
        Ok(())
    }

    /// Hand out the lowest free address at or after the cursor (wrapping once).
    pub fn allocate(&mut self) -> Result<Ipv4Addr, VipError> {
        let found = self
            .first_free_in(self.cursor, self.last)
            .or_else(|| self.first_free_in(self.first, self.cursor.saturating_sub(1)));
        let Some(ip) = found else {
            return Err(VipError::Exhausted { cidr: self.cidr });
        };
        self.insert(ip);
        self.cursor = if ip >= self.last { self.first } else { ip + 1 };
        Ok(to_addr(ip))
    }

    /// Take a specific address (an existing allocation) without moving the cursor.
    pub fn reserve(&mut self, ip: Ipv4Addr) -> Result<(), VipError> {
        if !self.cidr.contains(&ip) {
            return Err(VipError::OutsideCidr {
                ip,
                cidr: self.cidr,
            });
        }
        let value = u64::from(u32::from(ip));
        if self.interval_containing(value).is_some() {
            return Err(VipError::AlreadyAllocated { ip });
        }
        self.insert(value);
        Ok(())
    }

    /// Give an address back; returns whether it was allocated. It is handed out again only
    /// after the cursor wraps (see the module doc).
    pub fn release(&mut self, ip: Ipv4Addr) -> bool {
        let value = u64::from(u32::from(ip));
        let Some(at) = self.index_containing(value) else {
            return false;
        };
        let (start, end) = self.taken.remove(at);
        let mut at = at;
        if start < value {
            self.taken.insert(at, (start, value - 1));
            at += 1;
        }
        if value < end {
            self.taken.insert(at, (value + 1, end));
        }
        self.count -= 1;
        true
    }

    /// Index in `taken` of the interval holding `value`.
    fn index_containing(&self, value: u64) -> Option<usize> {
        let after = self.taken.partition_point(|&(start, _)| start <= value);
        let at = after.checked_sub(1)?;
        self.taken
            .get(at)
            .filter(|&&(_, end)| end >= value)
            .map(|_| at)
    }

    fn interval_containing(&self, value: u64) -> Option<(u64, u64)> {
        self.taken.get(self.index_containing(value)?).copied()
    }

    /// The lowest free address in `from..=to`.
    fn first_free_in(&self, from: u64, to: u64) -> Option<u64> {
        if from > to {
            return None;
        }
        // Intervals never touch, so the address right after the one holding `from` is free.
        let candidate = match self.interval_containing(from) {
            Some((_, end)) => end + 1,
            None => from,
        };
        (candidate <= to).then_some(candidate)
    }

    /// Mark the free address `value` taken, merging it with the intervals it touches.
    fn insert(&mut self, value: u64) {
        let at = self.taken.partition_point(|&(start, _)| start <= value);
        let joins_left = at.checked_sub(1).filter(|&left| {
            self.taken
                .get(left)
                .is_some_and(|&(_, end)| end + 1 == value)
        });
        let joins_right = self
            .taken
            .get(at)
            .is_some_and(|&(start, _)| start == value + 1);
        match (joins_left, joins_right) {
            (Some(left), true) => {
                let (_, right_end) = self.taken.remove(at);
                if let Some(interval) = self.taken.get_mut(left) {
                    interval.1 = right_end;
                }
            }
            (Some(left), false) => {
                if let Some(interval) = self.taken.get_mut(left) {
                    interval.1 = value;
                }
            }
            (None, true) => {
                if let Some(interval) = self.taken.get_mut(at) {
                    interval.0 = value;
                }
            }
            (None, false) => self.taken.insert(at, (value, value)),
        }
        self.count += 1;
    }
}

/// The VIPs of one service (an MZS or a MeshService) in one zone, kept in step with the
/// zone's allocator for that type: Kuma gives a service exactly one VIP and keeps whatever VIPs
/// its status already carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct VipHolding {
    /// `status.vips` as shown.
    pub vips: Vec<String>,
    /// Addresses the service holds in the allocator.
    pub held: Vec<Ipv4Addr>,
    /// Why the service has no VIP.
    pub error: Option<VipError>,
}

impl VipHolding {
    /// The `status.vips` entries, as Kuma writes them.
    pub(crate) fn status_vips(&self) -> Vec<crate::model::Vip> {
        self.vips
            .iter()
            .map(|ip| crate::model::Vip {
                ip: Some(ip.clone()),
            })
            .collect()
    }

    /// Keep the VIPs a service already carries: each IPv4 inside the CIDR is reserved unless
    /// another service holds it (then it is dropped, so the service gets a fresh one: Kuma would
    /// keep the duplicate). Addresses outside the CIDR (or not IPv4) stay as Kuma keeps them.
    pub(crate) fn keep_existing(allocator: &mut VipAllocator, vips: &[String]) -> Self {
        let mut kept = Vec::new();
        let mut held = Vec::new();
        for vip in vips {
            match parse_ipv4(vip) {
                Some(ip) if allocator.cidr().contains(&ip) => {
                    if allocator.reserve(ip).is_ok() {
                        held.push(ip);
                        kept.push(vip.clone());
                    }
                }
                _ => kept.push(vip.clone()),
            }
        }
        Self {
            vips: kept,
            held,
            error: None,
        }
    }

    /// Whether the service shows no VIP (it waits for one).
    pub(crate) fn is_missing(&self) -> bool {
        self.vips.is_empty()
    }

    /// Allocate the one VIP of a service that has none; returns whether it tried.
    pub(crate) fn allocate_if_missing(&mut self, allocator: &mut VipAllocator) -> bool {
        if !self.is_missing() {
            return false;
        }
        match allocator.allocate() {
            Ok(ip) => {
                self.vips = vec![ip.to_string()];
                self.held = vec![ip];
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
        true
    }

    /// Give the held addresses back (the service is gone or took other VIPs); returns whether
    /// anything was freed.
    pub(crate) fn release(&mut self, allocator: &mut VipAllocator) -> bool {
        self.vips.clear();
        let held = std::mem::take(&mut self.held);
        let freed = !held.is_empty();
        for ip in held {
            allocator.release(ip);
        }
        freed
    }
}

fn to_addr(value: u64) -> Ipv4Addr {
    // Every value handled here lies inside an IPv4 CIDR, so it fits in 32 bits.
    Ipv4Addr::from(u32::try_from(value).unwrap_or(u32::MAX))
}

/// A dotted-decimal IPv4 address as `Ipv4Addr`'s parser reads it (four numbers up to 255, no
/// leading zeros), without linking the standard library's general IP parser into the wasm
/// module (1.3 KB for this one caller).
fn parse_ipv4(text: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = text.split('.');
    for octet in &mut octets {
        let part = parts.next()?;
        let digits = part.bytes().all(|b| b.is_ascii_digit());
        if !digits || part.is_empty() || part.len() > 3 || (part.len() > 1 && part.starts_with('0'))
        {
            return None;
        }
        *octet = part.parse().ok()?;
    }
    parts.next().is_none().then_some(Ipv4Addr::from(octets))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_addresses_parse_as_the_standard_library_parses_them() {
        for text in [
            "243.0.0.7",
            "0.0.0.0",
            "255.255.255.255",
            "256.0.0.1",
            "01.2.3.4",
            "1.2.3",
            "1.2.3.4.5",
            "1..3.4",
            "",
            "a.b.c.d",
            "1.2.3.4 ",
            "+1.2.3.4",
            "1.2.3.-4",
            "0000.0.0.0",
            "00.0.0.0",
            "10.0.0.0/8",
            "::1",
            "1.2.3.4.",
            "1.2.3.04",
        ] {
            assert_eq!(parse_ipv4(text), text.parse::<Ipv4Addr>().ok(), "{text:?}");
        }
    }

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    #[test]
    fn ipam_cidrs_parse_as_go_and_must_not_overlap() {
        let ms = parse_cidr("ipam.meshService.cidr", "241.0.0.7/8");
        assert_eq!(ms, Ok(net("241.0.0.0/8")));
        assert_eq!(
            parse_cidr("ipam.meshService.cidr", "241.0.0.0").map_err(|e| e.to_string()),
            Err(
                "ipam.meshService.cidr: \"241.0.0.0\" is not an IPv4 CIDR such as 241.0.0.0/8"
                    .to_owned()
            )
        );
        assert_eq!(check_cidrs(net("241.0.0.0/8"), net("243.0.0.0/8")), Ok(()));
        assert_eq!(
            check_cidrs(net("240.0.0.0/4"), net("243.0.0.0/8")).map_err(|e| e.to_string()),
            Err("ipam.meshService.cidr 240.0.0.0/4 overlaps ipam.meshMultiZoneService.cidr 243.0.0.0/8: a MeshService and a MeshMultiZoneService could get the same VIP".to_owned())
        );
        assert!(check_cidrs(net("243.0.0.0/16"), net("243.0.0.0/8")).is_err());
    }

    #[test]
    fn first_allocations_match_kuma_network_address_first() {
        let mut a = VipAllocator::new(net("243.0.0.0/8"));
        assert_eq!(a.allocate().unwrap(), ip("243.0.0.0"));
        assert_eq!(a.allocate().unwrap(), ip("243.0.0.1"));
        assert_eq!(a.allocate().unwrap(), ip("243.0.0.2"));
        assert_eq!(a.len(), 3);
    }

    #[test]
    fn reserved_addresses_are_skipped() {
        let mut a = VipAllocator::new(net("243.0.0.0/8"));
        a.reserve(ip("243.0.0.0")).unwrap();
        a.reserve(ip("243.0.0.2")).unwrap();
        assert_eq!(a.allocate().unwrap(), ip("243.0.0.1"));
        assert_eq!(a.allocate().unwrap(), ip("243.0.0.3"));
    }

    #[test]
    fn freed_address_is_not_reused_immediately() {
        // Kuma's "should not reuse IPs" case: 241.0.0.0 then 241.0.0.1 even after a delete.
        let mut a = VipAllocator::new(net("241.0.0.0/8"));
        let first = a.allocate().unwrap();
        assert!(a.release(first));
        assert_eq!(a.allocate().unwrap(), ip("241.0.0.1"));
    }

    #[test]
    fn freed_address_comes_back_after_wrap() {
        let mut a = VipAllocator::new(net("10.0.0.0/30"));
        let all: Vec<_> = (0..4).map(|_| a.allocate().unwrap()).collect();
        assert_eq!(all[3], ip("10.0.0.3"));
        assert!(a.release(ip("10.0.0.1")));
        assert_eq!(a.allocate().unwrap(), ip("10.0.0.1"));
        assert_eq!(
            a.allocate(),
            Err(VipError::Exhausted {
                cidr: net("10.0.0.0/30")
            })
        );
        assert_eq!(
            a.allocate().unwrap_err().to_string(),
            "no addresses left in 10.0.0.0/30"
        );
    }

    #[test]
    fn reserve_errors() {
        let mut a = VipAllocator::new(net("243.0.0.0/8"));
        assert!(matches!(
            a.reserve(ip("10.0.0.1")),
            Err(VipError::OutsideCidr { .. })
        ));
        a.reserve(ip("243.1.2.3")).unwrap();
        assert_eq!(
            a.reserve(ip("243.1.2.3")),
            Err(VipError::AlreadyAllocated {
                ip: ip("243.1.2.3")
            })
        );
    }

    #[test]
    fn whole_ipv4_space_works_at_the_top() {
        let mut a = VipAllocator::new(net("255.255.255.254/31"));
        assert_eq!(a.allocate().unwrap(), ip("255.255.255.254"));
        assert_eq!(a.allocate().unwrap(), ip("255.255.255.255"));
        assert!(a.allocate().is_err());
        assert!(a.release(ip("255.255.255.255")));
        assert_eq!(a.allocate().unwrap(), ip("255.255.255.255"));
    }

    #[test]
    fn release_splits_intervals() {
        let mut a = VipAllocator::new(net("10.0.0.0/24"));
        for _ in 0..10 {
            a.allocate().unwrap();
        }
        assert!(a.release(ip("10.0.0.5")));
        assert!(!a.release(ip("10.0.0.5")));
        assert!(a.is_allocated(ip("10.0.0.4")));
        assert!(!a.is_allocated(ip("10.0.0.5")));
        assert!(a.is_allocated(ip("10.0.0.6")));
        assert_eq!(a.len(), 9);
        a.reserve(ip("10.0.0.5")).unwrap();
        assert_eq!(a.taken.len(), 1);
    }

    proptest::proptest! {
        /// Any mix of allocations, reservations and releases on a small CIDR hands out what a
        /// plain set of taken addresses with the documented cursor policy would.
        #[test]
        fn matches_a_plain_set_model(ops in proptest::collection::vec((0u8..3, 0u32..16), 0..80)) {
            let cidr = net("10.0.0.0/28");
            let mut a = VipAllocator::new(cidr);
            let mut taken = std::collections::BTreeSet::new();
            let mut cursor = 0u32;
            for (op, offset) in ops {
                let addr = Ipv4Addr::from(u32::from(ip("10.0.0.0")) + offset);
                match op {
                    0 => {
                        let want = (cursor..16).chain(0..cursor).find(|o| !taken.contains(o));
                        match (a.allocate(), want) {
                            (Ok(got), Some(o)) => {
                                proptest::prop_assert_eq!(got, Ipv4Addr::from(u32::from(ip("10.0.0.0")) + o));
                                taken.insert(o);
                                cursor = if o >= 15 { 0 } else { o + 1 };
                            }
                            (Err(_), None) => {}
                            (got, want) => proptest::prop_assert!(false, "{got:?} vs {want:?}"),
                        }
                    }
                    1 => proptest::prop_assert_eq!(a.reserve(addr).is_ok(), taken.insert(offset)),
                    _ => proptest::prop_assert_eq!(a.release(addr), taken.remove(&offset)),
                }
                proptest::prop_assert_eq!(a.len(), taken.len() as u64);
                for o in 0..16 {
                    let addr = Ipv4Addr::from(u32::from(ip("10.0.0.0")) + o);
                    proptest::prop_assert_eq!(a.is_allocated(addr), taken.contains(&o));
                }
                // Intervals stay sorted, disjoint and never adjacent.
                proptest::prop_assert!(a.taken.windows(2).all(|w| w[0].1 + 1 < w[1].0));
            }
        }
    }
}
