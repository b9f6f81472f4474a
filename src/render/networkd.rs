//! `.network` files for systemd-networkd (systemd.network(5)).
//!
//! Matched by MAC, so the file holds whatever the kernel names the NIC. A gateway outside
//! the NIC's subnet (e.g. a /32 address) gets a `[Route]` section with
//! `GatewayOnLink=yes`, telling the kernel the gateway is reachable on the link; a plain
//! `Gateway=` would be refused as unreachable. (Older systemd releases spelt the key
//! `GatewayOnlink=`; newer ones accept both spellings.)

use super::{HEADER, NicView, servers};
use crate::conf::Mac;
use crate::text::Arg::{C, I, M, P, S};
use crate::text::{Full, Out, say};

/// `etc/systemd/network/10-osconf-<12 hex digits>.network`, relative to the root.
pub fn file_name(mac: Mac, out: &mut Out<'_>) -> Result<(), Full> {
    say(out, PATH, &[C(mac)])
}

/// [`file_name`] as a [`say`] template (`{}`: the MAC, hex digits only).
pub const PATH: &str = "etc/systemd/network/10-osconf-{}.network";

pub fn render(out: &mut Out<'_>, v: &NicView<'_>) -> Result<(), Full> {
    let nic = v.nic;
    say(
        out,
        "{}[Match]\nMACAddress={}\n\n[Network]\nAddress={}/{}\n",
        &[S(HEADER), M(nic.mac), I(nic.addr), P(nic.prefix)],
    )?;
    let (on_subnet, off_subnet) = match v.default_gateway {
        Some(gw) if nic.addr.same_subnet(gw, nic.prefix) => (Some(gw), None),
        gw => (None, gw),
    };
    if let Some(gw) = on_subnet {
        say(out, "Gateway={}\n", &[I(gw)])?;
    }
    servers(out, v.dns, "", "DNS={}\n", "")?;
    if let Some(gw) = off_subnet {
        say(out, "\n[Route]\nGateway={}\nGatewayOnLink=yes\n", &[I(gw)])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{file_name, render};
    use crate::conf::Mac;

    use crate::render::golden::{Case, MAC, check, golden, ip, nic};
    use crate::text::Out;

    #[test]
    fn golden() {
        let dns = [ip("10.138.224.65"), ip("10.182.20.26"), ip("10.182.24.12")];
        let lan = nic(MAC, "10.104.62.201", b"255.255.192.0");
        let host32 = nic(MAC, "172.16.0.17", b"255.255.255.255");
        let cases: &[Case] = &[
            ("gateway", &lan, Some(ip("10.104.0.1")), &dns, golden!("networkd", "gateway", "out")),
            ("no-gateway", &lan, None, &dns[..1], golden!("networkd", "no-gateway", "out")),
            ("offlink-32", &host32, Some(ip("172.16.0.1")), &dns[..2], golden!("networkd", "offlink-32", "out")),
            ("no-dns", &lan, None, &[], golden!("networkd", "no-dns", "out")),
        ];
        check(render, None, cases);
    }

    #[test]
    fn file_names() {
        let mut b = [0u8; 128];
        let mut out = Out::new(&mut b);
        file_name(Mac::parse(b"52:54:00:E1:96:EB").unwrap(), &mut out).unwrap();
        assert_eq!(out.as_bytes(), b"etc/systemd/network/10-osconf-525400e196eb.network");
    }
}
