//! Planning decisions on hand-made facts.

use super::*;
use crate::conf::parse;

const CONF: &str = "hostname=VM_1\npassword=$6$lo.f8h5BxCWUADBl$vTP/0UIIsFdCMy2dUYkCM/ePWfzt8j08KJbuV9jcXIrzFnqRjBqUZPL//ejIbXUa3EcMRYTZw2gy0f/XvhuQ1.\neth0_ip_addr=10.0.0.5\neth0_mac_addr=52:54:00:00:00:01\neth0_netmask=24\neth0_gateway=10.0.0.1\ndns_nameserver=\"10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.6\"\n";

fn index(name: &str) -> u8 {
    (0..FORMATS.len() as u8).position(|i| format_name(i) == name).unwrap() as u8
}

fn mac(s: &str) -> Mac {
    Mac::parse(s.as_bytes()).unwrap()
}

fn facts<'a>(ifaces: &'a [Iface<'a>], formats: FormatSet) -> Facts<'a> {
    Facts {
        shadow: Existing::Regular(b"root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"),
        hosts: Existing::Regular(b"127.0.0.1\tlocalhost\n"),
        resolv: Existing::Regular(b"nameserver 8.8.8.8\n"),
        sysconfig_network: Existing::Missing,
        ifaces,
        formats,
        shared: &[],
        today: Some(20000),
        owned: &[],
        nics_complete: true,
        state: crate::state::State { key: Some(1), ..Default::default() },
        force: false,
    }
}

fn paths(p: &Plan<'_>) -> std::vec::Vec<std::string::String> {
    p.edits.iter().map(|e| e.path.as_str().into()).collect()
}

fn text<'p>(p: &'p Plan<'_>, path: &str) -> &'p str {
    let e = p.edits.iter().find(|e| e.path.as_str() == path).unwrap();
    core::str::from_utf8(p.content(e)).unwrap()
}

#[test]
fn full_plan_with_networkd() {
    let parsed = parse(CONF.as_bytes());
    let ifaces = [Iface { mac: mac("52:54:00:00:00:01"), name: "ens3", renamed: false }];
    let nd = format_bit(b"networkd").unwrap();
    let mut buf = std::vec![0u8; PLAN_BYTES];
    let p = build(&parsed.config, &facts(&ifaces, nd), &mut buf);
    assert_eq!(
        paths(&p),
        [
            "etc/systemd/network/10-osconf-525400000001.network",
            "etc/resolv.conf",
            "etc/hostname",
            "etc/hosts",
            "etc/shadow",
            "etc/osconf.state"
        ]
    );
    assert_eq!(text(&p, "etc/hostname"), "VM-1\n");
    assert_eq!(text(&p, "etc/hosts"), "127.0.0.1\tlocalhost\n10.0.0.5\tVM-1\n");
    assert_eq!(
        text(&p, "etc/shadow"),
        "root:$6$lo.f8h5BxCWUADBl$vTP/0UIIsFdCMy2dUYkCM/ePWfzt8j08KJbuV9jcXIrzFnqRjBqUZPL//ejIbXUa3EcMRYTZw2gy0f/XvhuQ1.:20000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"
    );
    assert_eq!(text(&p, "etc/resolv.conf"), "nameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\n");
    assert!(text(&p, "etc/systemd/network/10-osconf-525400000001.network").contains("DNS=10.0.0.6\n"));
    assert_eq!(p.events.as_slice(), [Event::ResolvOverMax { dropped: 1 }]);
    assert_eq!(p.primary, Some(0));
}

#[test]
fn ifcfg_needs_the_kernel_name() {
    let parsed = parse(CONF.as_bytes());
    let ifcfg = format_bit(b"ifcfg").unwrap();
    let mut buf = std::vec![0u8; PLAN_BYTES];
    let p = build(&parsed.config, &facts(&[], ifcfg), &mut buf);
    assert!(!paths(&p).iter().any(|p| p.contains("ifcfg")));
    assert!(p.events.contains(&Event::NicNotPresent { nic: 0, mac: mac("52:54:00:00:00:01"), format: index("ifcfg") }));
    let ifaces = [Iface { mac: mac("52:54:00:00:00:01"), name: "eth0", renamed: false }];
    let p = build(&parsed.config, &facts(&ifaces, ifcfg), &mut buf);
    assert_eq!(paths(&p)[0], "etc/sysconfig/network-scripts/ifcfg-eth0");
    assert!(text(&p, "etc/sysconfig/network-scripts/ifcfg-eth0").contains("DEVICE=eth0\n"));
}

#[test]
fn one_default_route_lowest_nic_with_gateway() {
    let conf = "eth0_ip_addr=10.0.0.5\neth0_mac_addr=52:54:00:00:00:01\neth0_netmask=24\neth1_ip_addr=10.1.0.5\neth1_mac_addr=52:54:00:00:00:02\neth1_netmask=24\neth1_gateway=10.1.0.1\neth2_ip_addr=10.2.0.5\neth2_mac_addr=52:54:00:00:00:03\neth2_netmask=24\neth2_gateway=10.2.0.1\n";
    let parsed = parse(conf.as_bytes());
    let mut buf = std::vec![0u8; PLAN_BYTES];
    let p = build(&parsed.config, &facts(&[], format_bit(b"networkd").unwrap()), &mut buf);
    assert_eq!(p.primary, Some(1));
    assert_eq!(p.events.as_slice(), [Event::ExtraGateway { nic: 2, via: 1 }]);
    let gw: std::vec::Vec<bool> =
        p.edits.iter().map(|e| core::str::from_utf8(p.content(e)).unwrap().contains("Gateway=")).collect();
    assert_eq!(gw, [false, true, false]);
}

#[test]
fn no_format_no_gateway_no_nic_address() {
    let parsed = parse(b"hostname=h\neth0_ip_addr=10.0.0.5\neth0_mac_addr=52:54:00:00:00:01\neth0_netmask=24\n");
    let mut buf = std::vec![0u8; PLAN_BYTES];
    let p = build(&parsed.config, &facts(&[], 0), &mut buf);
    assert_eq!(p.events.as_slice(), [Event::NoGateway, Event::NoFormat]);
    assert_eq!(paths(&p), ["etc/hostname", "etc/hosts", "etc/osconf.state"]);
    let parsed = parse(b"hostname=h\n");
    let p = build(&parsed.config, &facts(&[], 0), &mut buf);
    assert_eq!(p.events.as_slice(), [Event::HostsNoAddress]);
    assert_eq!(paths(&p), ["etc/hostname", "etc/osconf.state"]);
}

#[test]
fn files_that_are_not_ours_to_touch() {
    let parsed = parse(CONF.as_bytes());
    let mut f = facts(&[], 0);
    f.resolv = Existing::Symlink;
    f.shadow = Existing::Regular(b"daemon:*:1::::::\n");
    f.hosts = Existing::NotRegular;
    let mut buf = std::vec![0u8; PLAN_BYTES];
    let p = build(&parsed.config, &f, &mut buf);
    assert_eq!(paths(&p), ["etc/hostname", "etc/osconf.state"]);
    // The password was not applied: the state does not record it.
    let state = p.edits.iter().find(|e| e.target == Target::State).unwrap();
    assert!(!String::from_utf8_lossy(p.content(state)).contains("password="));
    assert_eq!(
        p.events.as_slice(),
        [
            Event::NoFormat,
            Event::ResolvLeft { symlink: true, dns_in_network: false },
            Event::Skipped { target: Target::Hosts, why: Skip::NotRegular },
            Event::Skipped { target: Target::Shadow, why: Skip::NoRootLine },
        ]
    );
}

#[test]
fn sysconfig_network_only_when_present_and_hosts_created_when_missing() {
    let parsed = parse(b"hostname=h.example.com\neth0_ip_addr=10.0.0.5\neth0_mac_addr=52:54:00:00:00:01\neth0_netmask=24\neth0_gateway=10.0.0.1\n");
    let mut f = facts(&[], 0);
    f.sysconfig_network = Existing::Regular(b"NETWORKING=yes\nHOSTNAME=old\n");
    f.hosts = Existing::Missing;
    let mut buf = std::vec![0u8; PLAN_BYTES];
    let p = build(&parsed.config, &f, &mut buf);
    assert_eq!(text(&p, "etc/sysconfig/network"), "NETWORKING=yes\nHOSTNAME=h.example.com\n");
    assert_eq!(
        text(&p, "etc/hosts"),
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.0.0.5\th.example.com h\n"
    );
}

#[test]
fn a_buffer_too_small_skips_the_file_without_partial_content() {
    let parsed = parse(CONF.as_bytes());
    let mut big = std::string::String::from("root:*:1::::::\n");
    while big.len() < 300 {
        big.push_str("user:*:1::::::\n");
    }
    let mut f = facts(&[], 0);
    f.shadow = Existing::Regular(big.as_bytes());
    let mut buf = std::vec![0u8; 200];
    let p = build(&parsed.config, &f, &mut buf);
    assert!(!paths(&p).contains(&"etc/shadow".into()));
    assert!(p.events.contains(&Event::Skipped { target: Target::Shadow, why: Skip::NoRoom }));
}

#[test]
fn detection_order_and_reason() {
    const NM: [&str; 2] =
        ["etc/systemd/system/multi-user.target.wants/NetworkManager.service", "etc/NetworkManager/system-connections"];
    const NETPLAN: [&str; 2] = ["usr/sbin/netplan", "etc/netplan"];
    const NETWORKD: &str = "etc/systemd/system/multi-user.target.wants/systemd-networkd.service";
    const IFCFG: &str = "etc/sysconfig/network-scripts";
    type Case<'a> = (&'a [&'a str], Option<(&'a str, &'a [&'a str])>);
    let cases: &[Case] = &[
        // Ubuntu: netplan, which renders networkd.
        (&[NETPLAN[0], NETPLAN[1], NETWORKD], Some(("netplan", &NETPLAN))),
        // netplan installed but not configured: what is enabled decides.
        (&[NETPLAN[0], NETWORKD], Some(("networkd", &[NETWORKD]))),
        // EL 8/9, Fedora: NetworkManager, even with network-scripts present.
        (&[NM[0], NM[1], IFCFG], Some(("nm", &NM))),
        // NetworkManager installed but disabled, legacy network service: ifcfg.
        (&[NM[1], IFCFG], Some(("ifcfg", &[IFCFG]))),
        (&[NETWORKD, IFCFG], Some(("networkd", &[NETWORKD]))),
        (&[], None),
    ];
    for (present, want) in cases {
        let got = detect(|p| present.contains(&p))
            .map(|d| (format_name(d.format), pieces(d.because, b' ').collect::<std::vec::Vec<_>>()));
        assert_eq!(got, want.map(|(name, paths)| (name, paths.to_vec())), "case {present:?}");
    }
    assert_eq!(format_bit(b"ifcfg"), Some(1 << index("ifcfg")));
    assert_eq!(format_bit(b"nm"), Some(1 << index("nm")));
    assert_eq!(format_bit(b"yast"), None);
}

#[test]
fn every_format_has_one_name() {
    let names: std::vec::Vec<&str> = FORMAT_NAMES.split('|').collect();
    assert_eq!(names.len(), FORMATS.len());
    for (i, name) in names.iter().enumerate() {
        assert_eq!(format_name(i as u8), *name);
        assert_eq!(format_bit(name.as_bytes()), Some(1 << i));
    }
    assert_eq!(format_name(FORMATS.len() as u8), "?");
}

#[test]
fn templates_split_into_directory_prefix_and_suffix() {
    assert_eq!(template_parts("etc/netplan/90-osconf-{}.yaml"), Some(("etc/netplan", "90-osconf-", ".yaml")));
    assert_eq!(
        template_parts("etc/sysconfig/network-scripts/ifcfg-{}"),
        Some(("etc/sysconfig/network-scripts", "ifcfg-", ""))
    );
    for (i, f) in FORMATS.iter().enumerate() {
        assert!(template_parts(f.path).is_some(), "{}", format_name(i as u8));
    }
}

#[test]
fn our_stale_files_go_only_when_every_nic_was_valid_and_placed() {
    let parsed = parse(CONF.as_bytes());
    let nd = format_bit(b"networkd").unwrap();
    let gone: crate::text::Str = "etc/systemd/network/10-osconf-525400000099.network".try_into().unwrap();
    let kept: crate::text::Str = "etc/systemd/network/10-osconf-525400000001.network".try_into().unwrap();
    let owned = [(index("networkd"), gone.clone()), (index("networkd"), kept.clone())];
    let mut f = facts(&[], nd);
    f.owned = &owned;
    let mut buf = std::vec![0u8; PLAN_BYTES];
    let p = build(&parsed.config, &f, &mut buf);
    let removed: std::vec::Vec<&str> = p.edits.iter().filter(|e| e.remove).map(|e| e.path.as_str()).collect();
    assert_eq!(removed, [gone.as_str()]);
    assert!(p.edits.iter().any(|e| e.path == kept && !e.remove));
    // A NIC section that was invalid this time: nothing is removed.
    f.nics_complete = false;
    let p = build(&parsed.config, &f, &mut buf);
    assert!(!p.edits.iter().any(|e| e.remove));
}

#[test]
fn hostname_and_password_only_when_the_cd_changed_them() {
    let conf = "hostname=web_1\npassword=m3OGdrDCtGVPY\ninstance_id=ins-1\n";
    let parsed = parse(conf.as_bytes());
    let mut f = facts(&[], 0);
    f.shadow = Existing::Regular(b"root:x:1::::::\n");
    let mut buf = std::vec![0u8; PLAN_BYTES];
    // No state (only a key): both applied, both recorded with the instance.
    let p = build(&parsed.config, &f, &mut buf);
    assert_eq!(paths(&p), ["etc/hostname", "etc/shadow", "etc/osconf.state"]);
    let state = p.edits.iter().find(|e| e.target == Target::State).unwrap();
    let recorded = crate::state::State::parse(p.content(state));
    let text = String::from_utf8_lossy(p.content(state)).into_owned();
    assert!(!text.contains("m3OGdrDCtGVPY") && !text.contains("web"), "{text}");
    let k = f.state;
    assert_eq!(recorded.key, k.key);
    assert_eq!(recorded.hostname, Some(k.fingerprint(b"web-1")));
    assert_eq!(recorded.password, Some(k.fingerprint(b"m3OGdrDCtGVPY")));
    assert_eq!(recorded.instance_id, Some(k.fingerprint(b"ins-1")));

    // The same CD again: neither is applied; the state is rewritten as it was.
    f.state = recorded;
    let p = build(&parsed.config, &f, &mut buf);
    assert_eq!(paths(&p), ["etc/osconf.state"]);
    assert_eq!(p.events.as_slice(), [Event::Unchanged { password: false }, Event::Unchanged { password: true }]);
    assert_eq!(crate::state::State::parse(p.content(&p.edits[0])), recorded);

    // A new password on the CD (console reset): only the password.
    let parsed2 = parse(conf.replace("m3OGdrDCtGVPY", "a1OGdrDCtGVPY").as_bytes());
    let p = build(&parsed2.config, &f, &mut buf);
    assert_eq!(paths(&p), ["etc/shadow", "etc/osconf.state"]);
    // Another instance: both again.
    let parsed3 = parse(conf.replace("ins-1", "ins-2").as_bytes());
    let p = build(&parsed3.config, &f, &mut buf);
    assert_eq!(paths(&p), ["etc/hostname", "etc/shadow", "etc/osconf.state"]);
    // Forced: both again.
    f.force = true;
    let p = build(&parsed.config, &f, &mut buf);
    assert_eq!(paths(&p), ["etc/hostname", "etc/shadow", "etc/osconf.state"]);
}
