//! Debian ifupdown: `/etc/network/interfaces` and the files it sources (interfaces(5)).
//!
//! Name-bound: a stanza names the interface, so it needs the kernel's name for the MAC
//! ([plain](super::ifcfg::is_plain_ifname), so it is also a safe file name).
//!
//! ```text
//! auto eth0
//! iface eth0 inet static
//!     address 10.104.62.201/18
//!     gateway 10.104.0.1
//!     dns-nameservers 10.138.224.65 10.182.20.26
//! ```
//! `address` takes the CIDR form (ifupdown 0.8; no separate `netmask`). `gateway` only on
//! the default-route NIC: ifupdown adds it with `ip route add default via … onlink`, so a
//! gateway outside the subnet needs nothing more. `dns-nameservers` is read by the
//! `resolvconf` package's hook (all servers on one line); without that package it is an
//! ignored option, and resolv.conf is written by the core anyway.
//!
//! Where the stanza goes: `interfaces.d/osconf-<name>` when the main file sources that
//! directory ([`sources_dir`]), else a marked block appended to the main file. Either way
//! ifupdown applies *every* `iface` stanza for a name, so a competing `iface <name> inet …`
//! left in the main file would still run (e.g. dhclient); [`merge_main`] disables it.

use super::{HEADER, NicView, ifcfg::is_plain_ifname, servers};
use crate::text::Arg::{I, P, S};
use crate::text::{Full, Out, chomp, index_of, lines, say, word};

/// Prefix of a line we disabled; the original line follows it unchanged.
const OFF: &[u8] = b"#osconf# ";
/// First words that start a new stanza, ending the previous `iface` stanza's options
/// (interfaces(5); `allow-*` handled apart). [`sources_dir`] looks up `source` (3) and
/// `source-directory` (4) here too.
const STANZAS: &[u8] = b"iface|mapping|auto|source|source-directory|rename|no-auto-down|no-scripts";

/// `etc/network/interfaces.d/osconf-<ifname>`. Refuses a name that is not plain. (A name
/// with a `.` would be skipped by `source-directory`, whose file names are
/// `[A-Za-z0-9_-]+`; NIC names the kernel gives have none.)
pub fn file_name(ifname: &str, out: &mut Out<'_>) -> Result<(), Full> {
    if !is_plain_ifname(ifname) {
        return Err(Full);
    }
    say(out, PATH, &[S(ifname)])
}

/// [`file_name`] as a [`say`] template (`{}`: the interface name).
pub const PATH: &str = "etc/network/interfaces.d/osconf-{}";

fn stanza(out: &mut Out<'_>, name: &str, v: &NicView<'_>) -> Result<(), Full> {
    let nic = v.nic;
    say(out, "auto {}\niface {} inet static\n    address {}/{}\n", &[S(name), S(name), I(nic.addr), P(nic.prefix)])?;
    if let Some(gw) = v.default_gateway {
        say(out, "    gateway {}\n", &[I(gw)])?;
    }
    servers(out, v.dns, "    dns-nameservers", " {}", "\n")
}

/// The `interfaces.d` file for `v`. Needs a plain `v.ifname`: without one it writes
/// nothing and returns `Err(Full)`.
pub fn render(out: &mut Out<'_>, v: &NicView<'_>) -> Result<(), Full> {
    let name = v.plain_ifname()?;
    out.put(HEADER.as_bytes())?;
    stanza(out, name, v)
}

/// Whether the main interfaces file includes every file of `/etc/network/interfaces.d`:
/// a `source /etc/network/interfaces.d/*` or `source-directory /etc/network/interfaces.d`
/// line (the directory with or without a final `/`, or the same paths relative to
/// `/etc/network`, as interfaces(5) resolves them). Other patterns (`*.cfg`, other
/// directories) do not cover our file, so they do not count.
pub fn sources_dir(main: &[u8]) -> bool {
    lines(main).any(|l| {
        let (first, rest) = word(chomp(l));
        let (path, rest) = word(rest);
        let path = path.strip_prefix(b"/etc/network/".as_slice()).unwrap_or(path);
        word(rest).0.is_empty()
            && match index_of(first, STANZAS) {
                Some(3) => path == b"interfaces.d/*".as_slice(),
                Some(4) => path.strip_suffix(b"/").unwrap_or(path) == b"interfaces.d".as_slice(),
                _ => false,
            }
    })
}

/// Our marker lines, as [`say`] templates (`{}`: the interface name).
const BEGIN: &str = "# osconf begin {}: generated from the config CD; rewritten at every boot.\n";
const END: &str = "# osconf end {}\n";

/// Whether `text` (a chomped line) is the marker line `tpl` ([`BEGIN`] or [`END`]) for
/// `name`.
fn is_marker(text: &[u8], name: &str, tpl: &str) -> bool {
    let tpl = chomp(tpl.as_bytes());
    let at = tpl.iter().position(|&b| b == b'{').unwrap_or(0);
    let (head, tail) = (tpl.get(..at).unwrap_or(&[]), tpl.get(at + 2..));
    text.strip_prefix(head).and_then(|r| r.strip_prefix(name.as_bytes())) == tail
}

/// Rewrites the main interfaces file (or any file it sources) for interface `ifname`:
/// - every `iface <ifname> inet …` stanza not ours is disabled: its line and its option
///   lines (up to the next stanza keyword) get the prefix `#osconf# `, blank and comment
///   lines inside are kept. `inet6` stanzas, and `auto`/`allow-*` lines naming the
///   interface, are left alone: they still bring up whichever stanza is active (ours).
/// - our marked block for `ifname` (from an earlier run) is replaced in place by a fresh
///   one when `ours` is given and the file does not [source `interfaces.d`](sources_dir),
///   else removed; when there was none, the fresh block is appended.
///
/// Every other line is copied byte for byte, and running it on its own output changes
/// nothing. `ifname` must be plain; `ours` must be for it.
pub fn merge_main(old: &[u8], ifname: &str, ours: Option<&NicView<'_>>, out: &mut Out<'_>) -> Result<(), Full> {
    if !is_plain_ifname(ifname) || ours.is_some_and(|v| v.ifname != Some(ifname)) {
        return Err(Full);
    }
    let mut block = ours.filter(|_| !sources_dir(old));
    let (mut disabling, mut skip_to_end) = (false, false);
    let mut at = 0;
    for line in lines(old) {
        at += line.len();
        let text = chomp(line);
        if skip_to_end {
            skip_to_end = !is_marker(text, ifname, END);
            continue;
        }
        // Our block from an earlier run: only when its end line follows, else the begin
        // line is just a comment.
        if is_marker(text, ifname, BEGIN)
            && lines(old.get(at..).unwrap_or(&[])).any(|l| is_marker(chomp(l), ifname, END))
        {
            (skip_to_end, disabling) = (true, false);
            if let Some(v) = block.take() {
                write_block(out, ifname, v)?;
            }
            continue;
        }
        let (first, rest) = word(text);
        if matches!(first.first(), None | Some(b'#')) {
            out.put(line)?;
            continue;
        }
        if index_of(first, STANZAS).is_some() || first.starts_with(b"allow-") {
            let (name, rest) = word(rest);
            disabling = first == b"iface" && name == ifname.as_bytes() && word(rest).0 == b"inet";
        }
        if disabling {
            out.put(OFF)?;
        }
        out.put(line)?;
    }
    if let Some(v) = block {
        if !matches!(old, [] | [.., b'\n']) {
            out.byte(b'\n')?;
        }
        if !matches!(old, [] | [.., b'\n', b'\n']) {
            out.byte(b'\n')?;
        }
        write_block(out, ifname, v)?;
    }
    Ok(())
}

fn write_block(out: &mut Out<'_>, name: &str, v: &NicView<'_>) -> Result<(), Full> {
    say(out, BEGIN, &[S(name)])?;
    stanza(out, name, v)?;
    say(out, END, &[S(name)])
}

#[cfg(test)]
mod tests {
    use super::{file_name, merge_main, render, sources_dir};

    use crate::render::NicView;
    use crate::render::golden::{Case, MAC, assert_bytes, check, golden, ip, nic};
    use crate::text::{Full, Out};

    #[test]
    fn golden() {
        let dns = [ip("10.138.224.65"), ip("10.182.20.26"), ip("10.182.24.12"), ip("10.0.0.5"), ip("10.0.0.6")];
        let lan = nic(MAC, "10.104.62.201", b"255.255.192.0");
        let host32 = nic(MAC, "172.16.0.17", b"255.255.255.255");
        let cases: &[Case] = &[
            ("gateway", &lan, Some(ip("10.104.0.1")), &dns[..3], golden!("eni", "gateway", "out")),
            ("no-gateway", &lan, None, &dns[..1], golden!("eni", "no-gateway", "out")),
            ("offlink-32", &host32, Some(ip("172.16.0.1")), &dns, golden!("eni", "offlink-32", "out")),
            ("no-dns", &lan, None, &[], golden!("eni", "no-dns", "out")),
        ];
        check(render, Some("eth0"), cases);
    }

    /// (case, old main file, our NIC or none, expected)
    type MergeCase<'a> = (&'a str, &'a [u8], bool, &'a [u8]);

    #[test]
    fn merge_golden() {
        let lan = nic(MAC, "10.104.62.201", b"255.255.192.0");
        let dns = [ip("10.138.224.65"), ip("10.182.20.26")];
        let v = NicView { nic: &lan, ifname: Some("eth0"), default_gateway: Some(ip("10.104.0.1")), dns: &dns };
        let cases: &[MergeCase] = &[
            ("debian-sources", golden!("eni", "debian-sources", "in"), true, golden!("eni", "debian-sources", "out")),
            ("no-source", golden!("eni", "no-source", "in"), true, golden!("eni", "no-source", "out")),
            ("stale-block", golden!("eni", "stale-block", "in"), false, golden!("eni", "stale-block", "out")),
            (
                "no-final-newline",
                golden!("eni", "no-final-newline", "in"),
                true,
                golden!("eni", "no-final-newline", "out"),
            ),
            ("empty", b"", true, golden!("eni", "empty", "out")),
        ];
        for &(case, old, with_ours, want) in cases {
            let ours = with_ours.then_some(&v);
            let mut b = [0u8; 4096];
            let mut out = Out::new(&mut b);
            merge_main(old, "eth0", ours, &mut out).unwrap();
            assert_bytes(case, out.as_bytes(), want);
            // Idempotent: our own output is left as it is.
            let mut b2 = [0u8; 4096];
            let mut again = Out::new(&mut b2);
            merge_main(want, "eth0", ours, &mut again).unwrap();
            assert_bytes(case, again.as_bytes(), want);
        }
    }

    #[test]
    fn merge_refuses_bad_names() {
        let lan = nic(MAC, "10.104.62.201", b"24");
        let v = NicView { nic: &lan, ifname: Some("eth1"), default_gateway: None, dns: &[] };
        let mut b = [0u8; 256];
        for (name, ours) in [("eth0", Some(&v)), ("e$(x)", None), ("", None)] {
            let mut out = Out::new(&mut b);
            assert_eq!(merge_main(b"auto lo\n", name, ours, &mut out), Err(Full), "case {name:?}");
        }
    }

    #[test]
    fn sources_dir_forms() {
        let yes: &[&[u8]] = &[
            b"source /etc/network/interfaces.d/*\n",
            b"auto lo\n  source   interfaces.d/*  \n",
            b"source-directory /etc/network/interfaces.d\n",
            b"source-directory interfaces.d/\r\n",
        ];
        for main in yes {
            assert!(sources_dir(main), "case {:?}", String::from_utf8_lossy(main));
        }
        let no: &[&[u8]] = &[
            b"",
            b"# source /etc/network/interfaces.d/*\n",
            b"source /etc/network/interfaces.d/*.cfg\n",
            b"source /etc/network/other.d/*\n",
            b"source-directory /etc/network/interfaces.d extra\n",
        ];
        for main in no {
            assert!(!sources_dir(main), "case {:?}", String::from_utf8_lossy(main));
        }
    }

    #[test]
    fn file_names() {
        let mut b = [0u8; 128];
        let mut out = Out::new(&mut b);
        file_name("ens3", &mut out).unwrap();
        assert_eq!(out.as_bytes(), b"etc/network/interfaces.d/osconf-ens3");
        let mut out = Out::new(&mut b);
        assert_eq!(file_name("../x", &mut out), Err(Full));
    }
}
