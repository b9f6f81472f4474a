//! netplan YAML (netplan(5), netplan-generate(8)): `etc/netplan/90-osconf-<mac>.yaml`,
//! mode 0600 (netplan warns about files others can read).
//!
//! ## Winning over the image's own file without touching it
//! An image often has a file that already matches the NIC, e.g. cloud-init's
//! `50-cloud-init.yaml` with `eth0: {match: {macaddress: …}, set-name: eth0, dhcp4: true}`.
//! netplan reads all files in lexical order; a later file overrides scalars of the *same*
//! ID, appends to its sequences and merges its mappings. Reusing that ID would need its
//! name (which we do not parse) and would inherit whatever else it says (its addresses and
//! routes would be appended to ours). So ours is a definition of its own, ID
//! `0osconf-<12 hex digits>`, matched by MAC. netplan then writes one `.network` file per
//! definition, named `10-netplan-<ID>.network`, and systemd-networkd applies to a link only
//! the first `.network` file, in lexical order, that matches it (systemd.network(5)):
//! `10-netplan-0osconf-…` sorts before every ID that starts with a letter, so networkd
//! applies ours, and the image's file keeps its other effects (its `set-name` `.link` file
//! still names the NIC). Checked with `netplan generate` in `tests/consumers/run.sh`.
//! (With `renderer: NetworkManager`, netplan's two profiles would tie; such a root also
//! reads our NetworkManager keyfile, whose priority wins.)
//!
//! ## Syntax choices
//! - Every scalar is quoted: an unquoted MAC of digits (`12:34:56:12:34:56`) is a YAML 1.1
//!   base-60 integer.
//! - The default route is `routes: [{to: 0.0.0.0/0, via: gw}]`, not the deprecated
//!   `gateway4`, and not `to: default`, which netplan only accepts since 0.103 (0.99, in
//!   Ubuntu 18.04 and early 20.04 images, refuses it). A gateway outside the NIC's subnet
//!   gets `on-link: true`.
//! - `nameservers: addresses:` lists every server.

use super::{HEADER, NicView, servers};
use crate::conf::Mac;
use crate::text::Arg::{C, I, M, P, S};
use crate::text::{Full, Out, say};

/// `etc/netplan/90-osconf-<12 hex digits>.yaml`: sorts after the files images ship
/// (`00-installer-config.yaml`, `01-netcfg.yaml`, `50-cloud-init.yaml`).
pub fn file_name(mac: Mac, out: &mut Out<'_>) -> Result<(), Full> {
    say(out, PATH, &[C(mac)])
}

/// [`file_name`] as a [`say`] template (`{}`: the MAC, hex digits only).
pub const PATH: &str = "etc/netplan/90-osconf-{}.yaml";

pub fn render(out: &mut Out<'_>, v: &NicView<'_>) -> Result<(), Full> {
    let nic = v.nic;
    say(
        out,
        "{}network:\n  version: 2\n  ethernets:\n    0osconf-{}:\n      match:\n        macaddress: \"{}\"\n      dhcp4: false\n      addresses:\n        - \"{}/{}\"\n",
        &[S(HEADER), C(nic.mac), M(nic.mac), I(nic.addr), P(nic.prefix)],
    )?;
    if let Some(gw) = v.default_gateway {
        say(out, "      routes:\n        - to: \"0.0.0.0/0\"\n          via: \"{}\"\n", &[I(gw)])?;
        if !nic.addr.same_subnet(gw, nic.prefix) {
            out.put(b"          on-link: true\n")?;
        }
    }
    servers(out, v.dns, "      nameservers:\n        addresses:\n", "          - \"{}\"\n", "")
}

#[cfg(test)]
mod tests {
    use super::{file_name, render};
    use crate::conf::Mac;

    use crate::render::golden::{Case, check, golden, ip, nic};
    use crate::text::Out;

    #[test]
    fn golden() {
        let dns = [ip("10.138.224.65"), ip("10.182.20.26"), ip("10.182.24.12"), ip("10.0.0.5"), ip("10.0.0.6")];
        let lan = nic(b"52:54:00:E1:96:EB", "10.104.62.201", b"255.255.192.0");
        let digits = nic(b"12:34:56:12:34:56", "192.168.7.10", b"24");
        let host32 = nic(b"52:54:00:E1:96:EB", "172.16.0.17", b"255.255.255.255");
        let cases: &[Case] = &[
            ("gateway", &lan, Some(ip("10.104.0.1")), &dns[..3], golden!("netplan", "gateway", "out")),
            ("no-gateway", &digits, None, &dns[..1], golden!("netplan", "no-gateway", "out")),
            ("offlink-32", &host32, Some(ip("172.16.0.1")), &dns, golden!("netplan", "offlink-32", "out")),
            ("no-dns", &lan, None, &[], golden!("netplan", "no-dns", "out")),
        ];
        check(render, Some("eth0"), cases);
    }

    #[test]
    fn file_names() {
        let mut b = [0u8; 128];
        let mut out = Out::new(&mut b);
        file_name(Mac::parse(b"52:54:00:E1:96:EB").unwrap(), &mut out).unwrap();
        assert_eq!(out.as_bytes(), b"etc/netplan/90-osconf-525400e196eb.yaml");
    }
}
