//! Which VIP a zone will hand a new MeshMultiZoneService, from the VIPs it already holds.
//!
//! A zone's allocator ([`crate::status::vips`]) hands out the lowest free address at or after a
//! cursor that sits just past the last address it handed out, and a deleted service's address is
//! not reused until the cursor wraps. Kuma's REST API shows the VIPs in use (`status.vips` of the
//! zone's MZS copies), not the cursor, so without the cursor the next VIP is the address after
//! the highest one in use, if free, else the allocator's choice over what is in use: exact when
//! the most recently created MZS of the zone still exists, one step or more behind otherwise (a
//! newer one was deleted: the zone is further on). kuma-local reports its cursor
//! (`GET /_kuma-local/ipam` on a zone); with it the answer is exact. [`NextVip::exact`] says which.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::status::vips::VipAllocator;

/// The VIP a zone holding `in_use` will assign next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextVip {
    /// The address.
    pub ip: Ipv4Addr,
    /// Whether it is derived from the zone's VIPs (false: the zone told nothing, e.g. no VIP is
    /// in use and the zone may have handed out and released some already).
    pub from_zone: bool,
    /// Whether it is certain: the zone reported its allocator's cursor.
    pub exact: bool,
}

/// The next VIP of a zone whose MZS VIPs in `cidr` are `in_use` (addresses outside the CIDR
/// are ignored), and whose allocator stands at `cursor` when the zone reported it. `None` when
/// the CIDR is full.
pub fn next_vip(cidr: Ipv4Net, in_use: &[Ipv4Addr], cursor: Option<Ipv4Addr>) -> Option<NextVip> {
    let mut allocator = VipAllocator::new(cidr);
    let mut highest: Option<Ipv4Addr> = None;
    for ip in in_use {
        if allocator.reserve(*ip).is_ok() {
            highest = highest.max(Some(*ip));
        }
    }
    if let Some(cursor) = cursor {
        if allocator.set_cursor(cursor).is_ok() {
            return allocator.allocate().ok().map(|ip| NextVip {
                ip,
                from_zone: true,
                exact: true,
            });
        }
    }
    if let Some(highest) = highest {
        let after = u32::from(highest).checked_add(1).map(Ipv4Addr::from);
        if let Some(after) = after.filter(|a| cidr.contains(a) && !allocator.is_allocated(*a)) {
            return Some(NextVip {
                ip: after,
                from_zone: true,
                exact: false,
            });
        }
    }
    let from_zone = highest.is_some();
    allocator.allocate().ok().map(|ip| NextVip {
        ip,
        from_zone,
        exact: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr() -> Ipv4Net {
        "243.0.0.0/8".parse().unwrap_or_default()
    }

    fn ip(last: u8) -> Ipv4Addr {
        Ipv4Addr::new(243, 0, 0, last)
    }

    #[test]
    fn after_creates_and_deletes_the_next_vip_follows_the_highest_in_use() {
        // .0 .. .4 handed out, .0 .. .2 deleted: the zone's cursor is at .5.
        let next = next_vip(cidr(), &[ip(3), ip(4)], None);
        assert_eq!(
            next,
            Some(NextVip {
                ip: ip(5),
                from_zone: true,
                exact: false,
            })
        );
    }

    #[test]
    fn a_fresh_zone_starts_at_the_network_address() {
        assert_eq!(
            next_vip(cidr(), &[], None),
            Some(NextVip {
                ip: ip(0),
                from_zone: false,
                exact: false,
            })
        );
    }

    #[test]
    fn at_the_end_of_the_range_it_wraps_to_the_lowest_free() {
        let small: Ipv4Net = "243.0.0.0/30".parse().unwrap_or_default();
        assert_eq!(
            next_vip(small, &[ip(3), ip(1)], None).map(|n| n.ip),
            Some(ip(0))
        );
        assert_eq!(next_vip(small, &[ip(0), ip(1), ip(2), ip(3)], None), None);
    }

    #[test]
    fn a_reported_cursor_makes_it_exact_after_the_newest_was_deleted() {
        // .0 .. .4 handed out, .4 (the newest) deleted: the zone's cursor is at .5, which only
        // the zone can tell.
        assert_eq!(
            next_vip(cidr(), &[ip(0), ip(1), ip(2), ip(3)], None).map(|n| n.ip),
            Some(ip(4))
        );
        assert_eq!(
            next_vip(cidr(), &[ip(0), ip(1), ip(2), ip(3)], Some(ip(5))),
            Some(NextVip {
                ip: ip(5),
                from_zone: true,
                exact: true,
            })
        );
        // Everything deleted: without the cursor the zone looks fresh.
        assert_eq!(
            next_vip(cidr(), &[], Some(ip(9))).map(|n| n.ip),
            Some(ip(9))
        );
    }

    #[test]
    fn the_cursor_skips_addresses_still_in_use() {
        assert_eq!(
            next_vip(cidr(), &[ip(5), ip(6)], Some(ip(5))).map(|n| n.ip),
            Some(ip(7))
        );
    }
}
