//! NetworkManager keyfiles (nm-settings-keyfile(5), properties in nm-settings-nmcli(5)).
//!
//! One profile per NIC, bound by `[ethernet] mac-address=` alone (no `interface-name=`), so
//! it follows the NIC whatever the kernel calls it. The file must be mode 0600 and owned by
//! root: the keyfile plugin ignores files readable or writable by anyone else.
//!
//! Winning over a profile the image already has for the same NIC (cloud-init's, an
//! installer's, NetworkManager's own in-memory "Wired connection 1") without deleting it:
//! `connection.autoconnect-priority` ranges -999..999, default 0, higher preferred, and on a
//! tie the most recently used profile wins — which would be the old one. Ours is 999, the
//! maximum. (cloud-init's NetworkManager renderer writes 120; NetworkManager's auto-default
//! profile has the default 0 or, in newer releases, -999.)
//!
//! - `uuid=` is derived from the MAC (FNV-1a, with the RFC 4122 version-4 and variant bits
//!   set), so every boot writes the same bytes and the profile keeps its identity.
//! - `[ipv4] method=manual`, `address1=a.b.c.d/len`; the default-route NIC gets `gateway=`,
//!   every other NIC `never-default=true`. A gateway outside the NIC's subnet (a /32
//!   address) also gets `route1=<gw>/32`: a route without a next hop is a device route
//!   (keyfile syntax `route/plen[,gateway,metric]`), making the gateway reachable on the
//!   link before the default route through it is added — written out rather than relying
//!   on any release's automatic handling of unreachable gateways.
//! - `dns=a;b;c;`: every server (NetworkManager is not limited to three).
//! - `[ipv6] method=ignore`: os.conf has no IPv6, and `ignore` (leave IPv6 to the kernel)
//!   is accepted by every NetworkManager release; `disabled` only exists since 1.20, and an
//!   older release would refuse the whole profile.

use super::{HEADER, NicView, servers};
use crate::conf::Mac;
use crate::conf::value::{fnv1a, write_hex};
use crate::text::Arg::{C, I, M, P, S};
use crate::text::{Full, Out, say};

/// `etc/NetworkManager/system-connections/osconf-<12 hex digits>.nmconnection`.
pub fn file_name(mac: Mac, out: &mut Out<'_>) -> Result<(), Full> {
    say(out, PATH, &[C(mac)])
}

/// [`file_name`] as a [`say`] template (`{}`: the MAC, hex digits only).
pub const PATH: &str = "etc/NetworkManager/system-connections/osconf-{}.nmconnection";

/// The profile's UUID: 16 bytes hashed from the MAC, formatted as RFC 4122 (version 4,
/// variant 10xx).
fn write_uuid(mac: Mac, out: &mut Out<'_>) -> Result<(), Full> {
    let hi = fnv1a(b"osconf-nm-uuid-1", &mac.0);
    let lo = fnv1a(b"osconf-nm-uuid-2", &mac.0);
    let mut id = [0u8; 16];
    id[..8].copy_from_slice(&hi.to_be_bytes());
    id[8..].copy_from_slice(&lo.to_be_bytes());
    // Byte 6's high nibble is the version (4), byte 8's top two bits the variant (10).
    id[6] = id[6] & 0x0f | 0x40;
    id[8] = id[8] & 0x3f | 0x80;
    for (i, b) in id.iter().enumerate() {
        // Dashes before bytes 4, 6, 8 and 10.
        if matches!(i, 4 | 6 | 8 | 10) {
            out.byte(b'-')?;
        }
        write_hex(out, core::slice::from_ref(b), "")?;
    }
    Ok(())
}

pub fn render(out: &mut Out<'_>, v: &NicView<'_>) -> Result<(), Full> {
    let nic = v.nic;
    say(out, "{}[connection]\nid=osconf-{}\nuuid=", &[S(HEADER), C(nic.mac)])?;
    write_uuid(nic.mac, out)?;
    say(
        out,
        "\ntype=ethernet\nautoconnect-priority=999\n\n[ethernet]\nmac-address={}\n\n[ipv4]\nmethod=manual\naddress1={}/{}\n",
        &[M(nic.mac), I(nic.addr), P(nic.prefix)],
    )?;
    match v.default_gateway {
        Some(gw) => {
            say(out, "gateway={}\n", &[I(gw)])?;
            if !nic.addr.same_subnet(gw, nic.prefix) {
                say(out, "route1={}/32\n", &[I(gw)])?;
            }
        }
        None => out.put(b"never-default=true\n")?,
    }
    servers(out, v.dns, "dns=", "{};", "\n")?;
    out.put(b"\n[ipv6]\nmethod=ignore\n")
}

#[cfg(test)]
mod tests {
    use super::{file_name, render};
    use crate::conf::Mac;
    use crate::render::NicView;
    use crate::render::golden::{Case, assert_bytes, golden, ip, nic};
    use crate::text::Out;

    #[test]
    fn golden() {
        let dns = [ip("10.138.224.65"), ip("10.182.20.26"), ip("10.182.24.12"), ip("10.0.0.5"), ip("10.0.0.6")];
        let lan = nic(b"52:54:00:E1:96:EB", "10.104.62.201", b"255.255.192.0");
        let second = nic(b"52-54-00-12-34-56", "192.168.7.10", b"24");
        let host32 = nic(b"52:54:00:E1:96:EB", "172.16.0.17", b"255.255.255.255");
        let cases: &[Case] = &[
            ("gateway", &lan, Some(ip("10.104.0.1")), &dns[..3], golden!("nm_keyfile", "gateway", "out")),
            ("no-gateway", &second, None, &dns[..1], golden!("nm_keyfile", "no-gateway", "out")),
            ("offlink-32", &host32, Some(ip("172.16.0.1")), &dns, golden!("nm_keyfile", "offlink-32", "out")),
            ("no-dns", &lan, None, &[], golden!("nm_keyfile", "no-dns", "out")),
        ];
        for &(case, nic, default_gateway, dns, want) in cases {
            let v = NicView { nic, ifname: None, default_gateway, dns };
            let mut b = [0u8; 1024];
            let mut out = Out::new(&mut b);
            render(&mut out, &v).unwrap();
            assert_bytes(case, out.as_bytes(), want);
            // Never a partial file: every shorter buffer is refused.
            let n = out.len();
            let mut small = [0u8; 1024];
            for len in [0, n / 2, n - 1] {
                let mut out = Out::new(&mut small[..len]);
                assert!(render(&mut out, &v).is_err(), "case {case}, buffer {len}");
            }
        }
    }

    #[test]
    fn uuid_is_rfc4122_v4_and_stable() {
        let v = |mac: &[u8]| {
            let nic = nic(mac, "10.0.0.2", b"24");
            let view = NicView { nic: &nic, ifname: None, default_gateway: None, dns: &[] };
            let mut b = [0u8; 1024];
            let mut out = Out::new(&mut b);
            render(&mut out, &view).unwrap();
            let text = std::string::String::from_utf8(out.as_bytes().to_vec()).unwrap();
            text.lines().find_map(|l| l.strip_prefix("uuid=")).unwrap().to_string()
        };
        let a = v(b"52:54:00:e1:96:eb");
        assert_eq!(a, v(b"52-54-00-E1-96-EB"));
        assert_ne!(a, v(b"52:54:00:e1:96:ec"));
        let parts: std::vec::Vec<&str> = a.split('-').collect();
        assert_eq!(parts.iter().map(|p| p.len()).collect::<std::vec::Vec<_>>(), [8, 4, 4, 4, 12], "{a}");
        assert!(parts[2].starts_with('4'), "{a}");
        assert!("89ab".contains(&parts[3][..1]), "{a}");
    }

    #[test]
    fn file_names() {
        let mut b = [0u8; 128];
        let mut out = Out::new(&mut b);
        file_name(Mac::parse(b"52:54:00:E1:96:EB").unwrap(), &mut out).unwrap();
        assert_eq!(out.as_bytes(), b"etc/NetworkManager/system-connections/osconf-525400e196eb.nmconnection");
    }
}
