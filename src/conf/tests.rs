//! Table tests for os.conf → config, including the ugly inputs.

use super::*;
use std::string::String as S;

fn ip(s: &str) -> Ipv4 {
    Ipv4::parse(s.as_bytes()).unwrap()
}

/// A compact text for each note, so tables stay readable.
fn notes(p: &Parsed) -> std::vec::Vec<S> {
    p.notes
        .iter()
        .map(|n| {
            let mut k: heapless::String<32> = heapless::String::new();
            let kind = match n.kind {
                NoteKind::Syntax { key, error } => {
                    if let Some(key) = key {
                        ufmt::uwrite!(k, "{}", key).unwrap();
                    }
                    std::format!("syntax {} {:?}", k.as_str(), error)
                }
                NoteKind::Invalid { key, why } => {
                    ufmt::uwrite!(k, "{}", key).unwrap();
                    std::format!("invalid {} {:?}", k.as_str(), why)
                }
                NoteKind::Duplicate { key, earlier } => {
                    ufmt::uwrite!(k, "{}", key).unwrap();
                    std::format!("duplicate {} {}", k.as_str(), earlier)
                }
                other => std::format!("{other:?}"),
            };
            std::format!("{}: {}", n.line, kind)
        })
        .collect()
}

const VENDOR_SAMPLE: &str = "hostname=VM_10_20_xxxx
password=GRSgae1fw9frsG.rfrF
eth0_ip_addr=10.104.62.201
eth0_mac_addr=52:54:00:E1:96:EB
eth0_netmask=255.255.192.0
eth0_gateway=10.104.0.1
dns_nameserver=\"10.138.224.65 10.182.20.26 10.182.24.12\"
";

#[test]
fn vendor_sample_parses_except_its_plaintext_password() {
    let p = parse(VENDOR_SAMPLE.as_bytes());
    let c = &p.config;
    assert_eq!(c.hostname.as_ref().unwrap().as_str(), "VM-10-20-xxxx");
    assert!(c.password.is_none());
    assert_eq!(c.nics.len(), 1);
    let n = c.nics[0];
    assert_eq!((n.index, n.addr, n.prefix.bits(), n.gateway), (0, ip("10.104.62.201"), 18, Some(ip("10.104.0.1"))));
    assert_eq!(n.mac, Mac::parse(b"52:54:00:e1:96:eb").unwrap());
    assert_eq!(c.dns.as_ref().unwrap().servers(), [ip("10.138.224.65"), ip("10.182.20.26"), ip("10.182.24.12")]);
    assert_eq!(
        notes(&p),
        [
            "1: HostnameNormalised(HostnameChanges { underscores: true, trailing_dot: false, cut_to_first_label: false })",
            "2: invalid password NotCryptHash"
        ]
    );
    assert!(p.skipped_any());
}

#[test]
fn crlf_bom_comments_blanks_and_quotes() {
    let text = "\u{feff}# Tencent config\r\n\r\n  hostname = 'web-1'  \r\npassword=\"$6$rounds=5000$usesomesillystri$e74JoeIGVLawgX/zXBUlf0msAfMiZTP9fT40tyyrE6tZL9dghrHqPAs2UWcFBitOot0e/T6QndGaAkehCxaGN/\"\r\neth0_ip_addr=10.0.0.5 # primary\r\neth0_mac_addr=52-54-00-AA-BB-CC\r\neth0_netmask=/24\r\ninstance_id=ins-abc123\r\n";
    let p = parse(text.as_bytes());
    assert_eq!(notes(&p), std::vec::Vec::<S>::new());
    let c = &p.config;
    assert_eq!(c.hostname.as_ref().unwrap().as_str(), "web-1");
    assert_eq!(
        c.password.as_ref().unwrap().expose(),
        "$6$rounds=5000$usesomesillystri$e74JoeIGVLawgX/zXBUlf0msAfMiZTP9fT40tyyrE6tZL9dghrHqPAs2UWcFBitOot0e/T6QndGaAkehCxaGN/"
    );
    assert_eq!(c.instance_id.as_deref(), Some("ins-abc123"));
    assert_eq!(c.nics[0].gateway, None);
    assert_eq!(c.nics[0].prefix.bits(), 24);
    assert!(c.dns.is_none());
    assert!(!p.skipped_any());
}

#[test]
fn dollar_is_never_expanded_bare_or_quoted() {
    for line in [
        "password=$6$lo.f8h5BxCWUADBl$vTP/0UIIsFdCMy2dUYkCM/ePWfzt8j08KJbuV9jcXIrzFnqRjBqUZPL//ejIbXUa3EcMRYTZw2gy0f/XvhuQ1.",
        "password=\"$6$lo.f8h5BxCWUADBl$vTP/0UIIsFdCMy2dUYkCM/ePWfzt8j08KJbuV9jcXIrzFnqRjBqUZPL//ejIbXUa3EcMRYTZw2gy0f/XvhuQ1.\"",
        "password='$6$lo.f8h5BxCWUADBl$vTP/0UIIsFdCMy2dUYkCM/ePWfzt8j08KJbuV9jcXIrzFnqRjBqUZPL//ejIbXUa3EcMRYTZw2gy0f/XvhuQ1.'",
    ] {
        let p = parse(line.as_bytes());
        assert_eq!(
            p.config.password.as_ref().map(|h| h.expose()),
            Some(
                "$6$lo.f8h5BxCWUADBl$vTP/0UIIsFdCMy2dUYkCM/ePWfzt8j08KJbuV9jcXIrzFnqRjBqUZPL//ejIbXUa3EcMRYTZw2gy0f/XvhuQ1."
            ),
            "case {line:?}"
        );
    }
}

#[test]
fn per_section_failures() {
    let cases: &[(&str, &[&str])] = &[
        ("password=", &["1: invalid password Empty"]),
        ("password=\"\"", &["1: invalid password Empty"]),
        ("password=$6$sa:lt$hash", &["1: invalid password BadChar"]),
        (
            "password=\"$6$lo.f8h5BxCWUADBl$vTP/0UIIsFdCMy2dUYkCM/ePWfzt8j08KJbuV9jcXIrzFnqRjBqUZPL//ejIbXUa3EcMRYTZw2gy0f/XvhuQ1.",
            &["1: syntax password UnterminatedQuote"],
        ),
        ("hostname=bad host", &["1: invalid hostname BadChar"]),
        ("hostname=$(reboot)", &["1: invalid hostname BadChar"]),
        ("dns_nameserver=\"x y\"", &["1: invalid dns_nameserver NoDnsServer"]),
        (
            "eth0_ip_addr=10.0.0.5\neth0_mac_addr=52:54:00:aa:bb:cc\neth0_netmask=255.0.255.0",
            &["3: invalid eth0_netmask NotNetmask"],
        ),
        ("eth0_ip_addr=10.0.0.5\neth0_mac_addr=52:54:00:aa:bb:cc", &["0: NicMissing { nic: 0, key: Netmask }"]),
        (
            "eth1_ip_addr=10.0.0.300\neth1_mac_addr=zz\neth1_netmask=24",
            &["1: invalid eth1_ip_addr NotIpv4", "2: invalid eth1_mac_addr NotMac"],
        ),
        ("eth8_ip_addr=10.0.0.5", &["1: UnknownNicKey"]),
        ("this is not a line", &["1: syntax  NotAssignment"]),
        ("hostname=a\nhostname=b", &["2: duplicate hostname 1"]),
    ];
    for (text, want) in cases {
        assert_eq!(notes(&parse(text.as_bytes())), *want, "case {text:?}");
    }
}

#[test]
fn one_bad_section_leaves_the_others() {
    let text = "hostname=ok-host\npassword=plaintext!\neth0_ip_addr=10.0.0.5\neth0_mac_addr=52:54:00:aa:bb:cc\neth0_netmask=24\neth0_gateway=10.0.0.1\neth1_ip_addr=10.1.0.5\neth1_mac_addr=52:54:00:aa:bb:cd\neth1_netmask=99\ndns_nameserver=1.1.1.1";
    let p = parse(text.as_bytes());
    assert_eq!(notes(&p), ["2: invalid password NotCryptHash", "9: invalid eth1_netmask NotNetmask"]);
    let c = &p.config;
    assert_eq!(c.hostname.as_ref().unwrap().as_str(), "ok-host");
    assert!(c.password.is_none());
    assert_eq!(c.nics.iter().map(|n| n.index).collect::<std::vec::Vec<_>>(), [0]);
    assert_eq!(c.dns.as_ref().unwrap().servers(), [ip("1.1.1.1")]);
}

#[test]
fn last_duplicate_wins_even_when_it_is_bad() {
    let p = parse(b"password=$6$lo.f8h5BxCWUADBl$vTP/0UIIsFdCMy2dUYkCM/ePWfzt8j08KJbuV9jcXIrzFnqRjBqUZPL//ejIbXUa3EcMRYTZw2gy0f/XvhuQ1.\npassword=bad:hash\n");
    assert!(p.config.password.is_none());
    assert_eq!(notes(&p), ["2: duplicate password 1", "2: invalid password BadChar"]);
    let p = parse(b"password=bad:hash\npassword=$6$lo.f8h5BxCWUADBl$vTP/0UIIsFdCMy2dUYkCM/ePWfzt8j08KJbuV9jcXIrzFnqRjBqUZPL//ejIbXUa3EcMRYTZw2gy0f/XvhuQ1.\n");
    assert_eq!(
        p.config.password.as_ref().unwrap().expose(),
        "$6$lo.f8h5BxCWUADBl$vTP/0UIIsFdCMy2dUYkCM/ePWfzt8j08KJbuV9jcXIrzFnqRjBqUZPL//ejIbXUa3EcMRYTZw2gy0f/XvhuQ1."
    );
    assert_eq!(notes(&p), ["2: duplicate password 1"]);
}

#[test]
fn multiple_nics_in_order_and_duplicate_macs() {
    let text = "eth1_ip_addr=10.1.0.5\neth1_mac_addr=52:54:00:00:00:02\neth1_netmask=16\neth0_ip_addr=10.0.0.5\neth0_mac_addr=52:54:00:00:00:01\neth0_netmask=24\neth2_ip_addr=10.2.0.5\neth2_mac_addr=52:54:00:00:00:01\neth2_netmask=24";
    let p = parse(text.as_bytes());
    assert_eq!(p.config.nics.iter().map(|n| n.index).collect::<std::vec::Vec<_>>(), [0, 1]);
    assert_eq!(notes(&p), ["0: NicDuplicateMac { nic: 2, first: 0 }"]);
}

#[test]
fn dns_partly_bad_keeps_the_good_servers() {
    let p = parse(b"dns_nameserver=\"10.0.0.1 nope 10.0.0.1 10.0.0.2\"");
    assert_eq!(p.config.dns.as_ref().unwrap().servers(), [ip("10.0.0.1"), ip("10.0.0.2")]);
    assert_eq!(notes(&p), ["1: DnsDropped(DnsDropped { bad: 1, first_bad_index: 1, duplicates: 1, over_limit: 0 })"]);
    assert!(!p.skipped_any());
}

#[test]
fn garbage_never_panics_and_yields_nothing() {
    let junk: std::vec::Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let p = parse(&junk);
    assert!(p.config.hostname.is_none() && p.config.password.is_none() && p.config.nics.is_empty());
    let p = parse(b"\0\0\0\xff\xfe=\n=\n'\n\"");
    assert!(p.config.nics.is_empty());
}

#[test]
fn keys() {
    assert_eq!(Key::from_bytes(b"eth7_gateway"), Some(Key::Nic(7, NicKey::Gateway)));
    assert_eq!(Key::from_bytes(b"eth8_gateway"), None);
    assert_eq!(Key::from_bytes(b"eth0_ip"), None);
    assert_eq!(Key::from_bytes(b"HOSTNAME"), None);
}

#[test]
fn nic_addresses_and_gateways_are_checked_against_the_subnet() {
    let nic = |ip: &str, mask: &str, gw: Option<&str>| {
        let mut t = format!("eth0_ip_addr={ip}\neth0_mac_addr=52:54:00:aa:bb:cc\neth0_netmask={mask}\n");
        if let Some(g) = gw {
            t += &format!("eth0_gateway={g}\n");
        }
        let p = parse(t.as_bytes());
        (notes(&p), p.config.nics.first().map(|n| n.gateway))
    };
    type Case<'a> = ((&'a str, &'a str, Option<&'a str>), (&'a [&'a str], Option<Option<&'a str>>));
    let cases: &[Case] = &[
        (("10.0.0.5", "24", Some("10.0.0.1")), (&[], Some(Some("10.0.0.1")))),
        (("10.0.0.0", "24", None), (&["1: invalid eth0_ip_addr NotHostAddress"], None)),
        (("10.0.0.255", "24", None), (&["1: invalid eth0_ip_addr NotHostAddress"], None)),
        (("10.0.0.0", "31", None), (&[], Some(None))),
        (("10.0.0.7", "32", Some("10.0.0.1")), (&["4: GatewayOffLink { nic: 0 }"], Some(Some("10.0.0.1")))),
        (("10.0.0.5", "24", Some("10.0.0.5")), (&["4: invalid eth0_gateway OwnAddress"], None)),
        (("10.0.0.5", "24", Some("10.0.0.255")), (&["4: invalid eth0_gateway NotHostAddress"], None)),
        (("10.0.0.5", "24", Some("192.168.1.1")), (&["4: GatewayOffLink { nic: 0 }"], Some(Some("192.168.1.1")))),
        (("10.0.0.5", "24", Some("")), (&["4: GatewayEmpty { nic: 0 }"], Some(None))),
    ];
    for ((ip_, mask, gw), (want_notes, want_gw)) in cases {
        let (n, g) = nic(ip_, mask, *gw);
        assert_eq!(n, *want_notes, "case {ip_}/{mask} via {gw:?}");
        assert_eq!(g, want_gw.map(|g| g.map(ip)), "case {ip_}/{mask} via {gw:?}");
    }
}
