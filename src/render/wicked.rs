//! SUSE wicked: `/etc/sysconfig/network/ifcfg-<name>` (ifcfg(5)), `ifroute-<name>`
//! (ifroute(5), also called routes(5)) and the DNS line of `/etc/sysconfig/network/config`
//! (read by netconfig(8)).
//!
//! Name-bound: the file name is the interface, which must be [plain](super::ifcfg::is_plain_ifname)
//! (the files are read as shell assignments; values are single-quoted and are validated
//! types that hold no quote). `LLADDR` is deliberately not written: in ifcfg(5) it *sets*
//! the interface's MAC address, it does not select the NIC by it; with the right name it
//! would change nothing, and with a name that moved to another NIC it would give that NIC
//! our MAC. The MAC goes into a comment instead, for whoever reads the file.
//!
//! `ifroute-<name>` columns are `destination gateway netmask interface`, `-` for none. The
//! default route is `default <gw> - <name>`; a gateway outside the NIC's subnet is first
//! made reachable by a device route `<gw>/32 - - <name>`. Without a default gateway on this
//! NIC the file holds only the header (no routes).

use super::{HEADER, NicView, ifcfg::is_plain_ifname};
use crate::conf::Ipv4;
use crate::text::Arg::{I, M, P, S};
use crate::text::{Full, Out, chomp, lines, say, trim_start_blanks};

const DNS_KEY: &[u8] = b"NETCONFIG_DNS_STATIC_SERVERS=";

fn path(template: &str, ifname: &str, out: &mut Out<'_>) -> Result<(), Full> {
    if !is_plain_ifname(ifname) {
        return Err(Full);
    }
    say(out, template, &[S(ifname)])
}

/// [`file_name`] as a [`say`] template (`{}`: the interface name).
pub const PATH: &str = "etc/sysconfig/network/ifcfg-{}";
/// [`ifroute_file_name`] as a [`say`] template.
pub const IFROUTE_PATH: &str = "etc/sysconfig/network/ifroute-{}";

/// `etc/sysconfig/network/ifcfg-<ifname>`; refuses a name that is not plain.
pub fn file_name(ifname: &str, out: &mut Out<'_>) -> Result<(), Full> {
    path(PATH, ifname, out)
}

/// `etc/sysconfig/network/ifroute-<ifname>`; refuses a name that is not plain.
pub fn ifroute_file_name(ifname: &str, out: &mut Out<'_>) -> Result<(), Full> {
    path(IFROUTE_PATH, ifname, out)
}

/// `ifcfg-<name>` for `v`. Needs a plain `v.ifname`, else writes nothing: `Err(Full)`.
pub fn render(out: &mut Out<'_>, v: &NicView<'_>) -> Result<(), Full> {
    v.plain_ifname()?;
    let nic = v.nic;
    say(
        out,
        "{}# NIC {} (not LLADDR=, which would set the address)\nBOOTPROTO='static'\nSTARTMODE='auto'\nIPADDR='{}/{}'\n",
        &[S(HEADER), M(nic.mac), I(nic.addr), P(nic.prefix)],
    )
}

/// `ifroute-<name>` for `v`. Needs a plain `v.ifname`, else writes nothing: `Err(Full)`.
pub fn render_ifroute(out: &mut Out<'_>, v: &NicView<'_>) -> Result<(), Full> {
    let name = v.plain_ifname()?;
    out.put(HEADER.as_bytes())?;
    if let Some(gw) = v.default_gateway {
        if !v.nic.addr.same_subnet(gw, v.nic.prefix) {
            say(out, "{}/32 - - {}\n", &[I(gw), S(name)])?;
        }
        say(out, "default {} - {}\n", &[I(gw), S(name)])?;
    }
    Ok(())
}

/// `/etc/sysconfig/network/config` with `NETCONFIG_DNS_STATIC_SERVERS="a b c"`: every
/// uncommented assignment of it is replaced in place (the file is sourced, so each must
/// say the same), or the line is appended when there is none. Every other byte is kept;
/// an empty list leaves the file as it is.
pub fn merge_config(old: &[u8], dns: &[Ipv4], out: &mut Out<'_>) -> Result<(), Full> {
    if dns.is_empty() {
        return out.put(old);
    }
    let mut found = false;
    for line in lines(old) {
        if !trim_start_blanks(line).starts_with(DNS_KEY) {
            out.put(line)?;
            continue;
        }
        found = true;
        dns_line(out, dns)?;
        // Keep the line ending it had (CRLF, or none on a last line).
        out.put(line.get(chomp(line).len()..).unwrap_or(&[]))?;
    }
    if !found {
        if !old.is_empty() && !old.ends_with(b"\n") {
            out.byte(b'\n')?;
        }
        dns_line(out, dns)?;
        out.byte(b'\n')?;
    }
    Ok(())
}

fn dns_line(out: &mut Out<'_>, dns: &[Ipv4]) -> Result<(), Full> {
    out.put(DNS_KEY)?;
    out.byte(b'"')?;
    for (i, server) in dns.iter().enumerate() {
        if i > 0 {
            out.byte(b' ')?;
        }
        say(out, "{}", &[I(*server)])?;
    }
    out.byte(b'"')
}

#[cfg(test)]
mod tests {
    use super::{file_name, ifroute_file_name, merge_config, render, render_ifroute};
    use crate::conf::{DnsList, Ipv4, Nic};
    use crate::render::NicView;
    use crate::render::golden::{MAC, assert_bytes, golden, ip, nic};
    use crate::text::{Full, Out};

    /// (case, NIC, default gateway, expected ifcfg, expected ifroute)
    type Case<'a> = (&'a str, &'a Nic, Option<Ipv4>, &'a [u8], &'a [u8]);

    #[test]
    fn golden() {
        let lan = nic(MAC, "10.104.62.201", b"255.255.192.0");
        let host32 = nic(MAC, "172.16.0.17", b"255.255.255.255");
        let cases: &[Case] = &[
            (
                "gateway",
                &lan,
                Some(ip("10.104.0.1")),
                golden!("wicked", "ifcfg-lan", "out"),
                golden!("wicked", "ifroute-gateway", "out"),
            ),
            ("no-gateway", &lan, None, golden!("wicked", "ifcfg-lan", "out"), golden!("wicked", "ifroute-none", "out")),
            (
                "offlink-32",
                &host32,
                Some(ip("172.16.0.1")),
                golden!("wicked", "ifcfg-32", "out"),
                golden!("wicked", "ifroute-offlink-32", "out"),
            ),
        ];
        for &(case, nic, default_gateway, want_ifcfg, want_ifroute) in cases {
            let v = NicView { nic, ifname: Some("eth0"), default_gateway, dns: &[] };
            let mut b = [0u8; 1024];
            let mut out = Out::new(&mut b);
            render(&mut out, &v).unwrap();
            assert_bytes(case, out.as_bytes(), want_ifcfg);
            let mut out = Out::new(&mut b);
            render_ifroute(&mut out, &v).unwrap();
            assert_bytes(case, out.as_bytes(), want_ifroute);
        }
    }

    #[test]
    fn merge_golden() {
        let (dns, _) = DnsList::parse(b"10.138.224.65 10.182.20.26 10.182.24.12 10.0.0.5").unwrap();
        let cases: &[(&str, &[u8], &[u8])] = &[
            ("suse", golden!("wicked", "config-suse", "in"), golden!("wicked", "config-suse", "out")),
            ("absent", golden!("wicked", "config-absent", "in"), golden!("wicked", "config-absent", "out")),
            ("crlf-twice", golden!("wicked", "config-crlf-twice", "in"), golden!("wicked", "config-crlf-twice", "out")),
        ];
        for &(case, old, want) in cases {
            let mut b = [0u8; 8192];
            let mut out = Out::new(&mut b);
            merge_config(old, dns.servers(), &mut out).unwrap();
            assert_bytes(case, out.as_bytes(), want);
            let mut b2 = [0u8; 8192];
            let mut again = Out::new(&mut b2);
            merge_config(want, dns.servers(), &mut again).unwrap();
            assert_bytes(case, again.as_bytes(), want);
        }
        let mut b = [0u8; 64];
        let mut out = Out::new(&mut b);
        merge_config(b"A=1\n", &[], &mut out).unwrap();
        assert_eq!(out.as_bytes(), b"A=1\n");
    }

    #[test]
    fn names() {
        let mut b = [0u8; 128];
        let mut out = Out::new(&mut b);
        file_name("eth0", &mut out).unwrap();
        assert_eq!(out.as_bytes(), b"etc/sysconfig/network/ifcfg-eth0");
        let mut out = Out::new(&mut b);
        ifroute_file_name("ens3", &mut out).unwrap();
        assert_eq!(out.as_bytes(), b"etc/sysconfig/network/ifroute-ens3");
        let mut out = Out::new(&mut b);
        assert_eq!(ifroute_file_name("a/b", &mut out), Err(Full));
        let lan = nic(MAC, "10.0.0.2", b"24");
        let v = NicView { nic: &lan, ifname: Some("x'y"), default_gateway: None, dns: &[] };
        let mut out = Out::new(&mut b);
        assert_eq!(render(&mut out, &v), Err(Full));
        assert_eq!(render_ifroute(&mut out, &v), Err(Full));
        assert_eq!(out.len(), 0);
    }
}
