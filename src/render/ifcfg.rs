//! `ifcfg-<name>` for RHEL initscripts and NetworkManager's ifcfg-rh plugin
//! (`/usr/share/doc/initscripts/sysconfig.txt`, nm-settings-ifcfg-rh(5)).
//!
//! A static IPv4 address bound to the device name and checked against the MAC. Without
//! a default gateway on this NIC, `DEFROUTE=no` keeps a global `GATEWAY=` in
//! `/etc/sysconfig/network` from being routed through it. Every DNS server of the view is
//! written (`DNS1=` …; NetworkManager reads more than three). `PEERDNS=` is not written:
//! it only concerns DHCP-provided servers, and initscripts' `ifup-post` would skip
//! `DNS1=`/`DNS2=` on `PEERDNS=no`. The file is sourced by a shell, so the interface
//! name must be plain (see [`is_plain_ifname`]); every other value is a validated type.
//!
//! A gateway outside the NIC's subnet (e.g. a /32 address) cannot be a `GATEWAY=`:
//! initscripts' `ip route add default via` refuses an unreachable next hop. It goes into
//! `route-<name>` instead, in the "IP command arguments" format (each line is given to
//! `ip route add`; RHEL's networking guide, "Static Routes Using the IP Command Arguments
//! Format", also read by NetworkManager's ifcfg-rh plugin): first a device route to the
//! gateway, which makes it on-link, then the default route via it. Otherwise no
//! `route-<name>` is written.

use super::{HEADER, NicView};
use crate::limits::IFNAME_MAX;
use crate::text::Arg::{I, M, N, P, S};
use crate::text::{Full, Out, say};

/// Whether `name` can go into an ifcfg file and its file name as is:
/// `[A-Za-z0-9._-]{1,15}`, not `.` or `..`. The kernel also allows `$`, quotes, `;` …,
/// which the sourcing shell would act on; the planner should treat such a NIC as one
/// without a known name.
pub fn is_plain_ifname(name: &str) -> bool {
    ifname_bytes(name.as_bytes()) && !matches!(name.as_bytes(), b"." | b"..")
}

/// `[A-Za-z0-9._-]{1,15}`: [`is_plain_ifname`] but for `.` and `..` (also the check of
/// the names udev's database gives, [`crate::udev`]).
pub fn ifname_bytes(v: &[u8]) -> bool {
    (1..=IFNAME_MAX).contains(&v.len())
        && v.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// `etc/sysconfig/network-scripts/ifcfg-<ifname>`, relative to the root. Refuses (as
/// `Full`, writing nothing) a name that is not [plain](is_plain_ifname).
pub fn file_name(ifname: &str, out: &mut Out<'_>) -> Result<(), Full> {
    if !is_plain_ifname(ifname) {
        return Err(Full);
    }
    say(out, PATH, &[S(ifname)])
}

/// [`file_name`] as a [`say`] template (`{}`: the interface name).
pub const PATH: &str = "etc/sysconfig/network-scripts/ifcfg-{}";

/// Renders the file for `v`. Needs `v.ifname`, [plain](is_plain_ifname): without one it
/// writes nothing and returns `Err(Full)`.
pub fn render(out: &mut Out<'_>, v: &NicView<'_>) -> Result<(), Full> {
    let name = v.plain_ifname()?;
    let nic = v.nic;
    say(
        out,
        "{}DEVICE={}\nHWADDR={}\nTYPE=Ethernet\nBOOTPROTO=none\nONBOOT=yes\nIPADDR={}\nPREFIX={}\n",
        &[S(HEADER), S(name), M(nic.mac), I(nic.addr), P(nic.prefix)],
    )?;
    match v.default_gateway {
        Some(gw) if nic.addr.same_subnet(gw, nic.prefix) => say(out, "GATEWAY={}\n", &[I(gw)])?,
        Some(_) => {} // in route-<name>
        None => out.put(b"DEFROUTE=no\n")?,
    }
    for (i, server) in v.dns.iter().enumerate() {
        say(out, "DNS{}={}\n", &[N(i as u32 + 1), I(*server)])?;
    }
    Ok(())
}

/// [`route_file_name`] as a [`say`] template.
pub const ROUTE_PATH: &str = "etc/sysconfig/network-scripts/route-{}";

/// `route-<name>` for `v`: only for a default gateway outside the NIC's subnet; otherwise
/// nothing at all (no file). Needs a plain `v.ifname`, else writes nothing: `Err(Full)`.
pub fn render_route(out: &mut Out<'_>, v: &NicView<'_>) -> Result<(), Full> {
    let name = v.plain_ifname()?;
    match v.default_gateway {
        Some(gw) if !v.nic.addr.same_subnet(gw, v.nic.prefix) => {
            say(out, "{}{} dev {}\ndefault via {} dev {}\n", &[S(HEADER), I(gw), S(name), I(gw), S(name)])
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::{file_name, is_plain_ifname, render, render_route};
    use crate::conf::{Ipv4, Mac, Nic, Prefix};
    use crate::render::NicView;
    use crate::render::golden::{assert_bytes, golden};
    use crate::text::{Full, Out};

    fn ip(s: &str) -> Ipv4 {
        Ipv4::parse(s.as_bytes()).unwrap()
    }

    /// (case, default gateway, DNS servers, expected)
    type Case<'a> = (&'a str, Option<Ipv4>, &'a [Ipv4], &'a [u8]);

    fn nic() -> Nic {
        Nic {
            index: 0,
            mac: Mac::parse(b"52:54:00:E1:96:EB").unwrap(),
            addr: ip("10.104.62.201"),
            prefix: Prefix::parse(b"255.255.192.0").unwrap(),
            gateway: Some(ip("10.104.0.1")),
        }
    }

    #[test]
    fn golden() {
        let nic = nic();
        let three = [ip("10.138.224.65"), ip("10.182.20.26"), ip("10.182.24.12")];
        let five = [ip("10.0.0.2"), ip("10.0.0.3"), ip("10.0.0.4"), ip("10.0.0.5"), ip("10.0.0.6")];
        let cases: &[Case] = &[
            ("gateway-3dns", Some(ip("10.104.0.1")), &three, golden!("ifcfg", "gateway-3dns", "out")),
            ("no-gateway", None, &three[..1], golden!("ifcfg", "no-gateway", "out")),
            ("5dns", Some(ip("10.104.0.1")), &five, golden!("ifcfg", "5dns", "out")),
            ("no-dns", None, &[], golden!("ifcfg", "no-dns", "out")),
        ];
        for &(case, default_gateway, dns, want) in cases {
            let v = NicView { nic: &nic, ifname: Some("eth0"), default_gateway, dns };
            let mut b = [0u8; 1024];
            let mut out = Out::new(&mut b);
            render(&mut out, &v).unwrap();
            assert_bytes(case, out.as_bytes(), want);
            let mut out = Out::new(&mut b);
            render_route(&mut out, &v).unwrap();
            assert_eq!(out.len(), 0, "case {case}: a gateway in the subnet needs no route file");
        }
    }

    #[test]
    fn a_gateway_outside_the_subnet_is_made_on_link_in_the_route_file() {
        let mut nic = nic();
        nic.prefix = Prefix::parse(b"255.255.255.255").unwrap();
        let v = NicView { nic: &nic, ifname: Some("eth0"), default_gateway: Some(ip("10.104.0.1")), dns: &[] };
        let mut b = [0u8; 1024];
        let mut out = Out::new(&mut b);
        render(&mut out, &v).unwrap();
        assert_bytes("off-subnet", out.as_bytes(), golden!("ifcfg", "off-subnet", "out"));
        let mut out = Out::new(&mut b);
        render_route(&mut out, &v).unwrap();
        assert_bytes("off-subnet route", out.as_bytes(), golden!("ifcfg", "route-off-subnet", "out"));
    }

    #[test]
    fn ifname_must_be_known_and_plain() {
        let nic = nic();
        for name in [None, Some(""), Some("."), Some(".."), Some("e$(reboot)"), Some("eth 0"), Some("a234567890123456")]
        {
            let v = NicView { nic: &nic, ifname: name, default_gateway: None, dns: &[] };
            let mut b = [0u8; 1024];
            let mut out = Out::new(&mut b);
            assert_eq!(render(&mut out, &v), Err(Full), "case {name:?}");
            assert!(!name.is_some_and(is_plain_ifname), "case {name:?}");
            assert_eq!(out.len(), 0, "case {name:?}");
        }
    }

    #[test]
    fn file_names() {
        let mut b = [0u8; 128];
        let mut out = Out::new(&mut b);
        file_name("ens3", &mut out).unwrap();
        assert_eq!(out.as_bytes(), b"etc/sysconfig/network-scripts/ifcfg-ens3");
        let mut out = Out::new(&mut b);
        assert_eq!(file_name("../x", &mut out), Err(Full));
        assert_eq!(out.len(), 0);
        for ok in ["eth0", "ens3", "enp0s31f6", "eth0.100", "br_lan-1", "a23456789012345"] {
            assert!(is_plain_ifname(ok), "case {ok}");
        }
    }
}
