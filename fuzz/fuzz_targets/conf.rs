//! os.conf bytes → `conf::parse`, then everything the binary does with the result that
//! needs no machine: every note as a log line, a plan for a root that reads every network
//! format (so every renderer and merge runs), every event and edit as a log line.
//!
//! Properties checked besides "no panic":
//! - a modular-crypt password hash (`$id$…`) that validated appears in `etc/shadow` only:
//!   in no log line and no other planned file (nothing else that validates can hold a `$`);
//! - the state file parser (`State::parse`) takes the same bytes as a hostile root's
//!   `/etc/osconf.state`, and whatever it finds only decides what is applied;
//! - the plan is deterministic: building it twice gives the same edits and bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use osconf::conf::{self, Section};
use osconf::plan::{self, Existing, Facts, Iface, Target};
use osconf::report::{self, Outcome};
use osconf::state::State;
use osconf::text::{Out, Str};
use std::cell::RefCell;

const SHADOW: &[u8] = b"root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n";
const HOSTS: &[u8] = b"127.0.0.1\tlocalhost\n10.0.0.5 old-name\n";
const RESOLV: &[u8] = b"search example.com\nnameserver 8.8.8.8\noptions edns0\n";
const SYSCONFIG_NETWORK: &[u8] = b"NETWORKING=yes\nHOSTNAME=old-name\n";
/// Without `source interfaces.d`, so the stanzas are merged into the main file.
const ENI: &[u8] = b"auto lo\niface lo inet loopback\n\nallow-hotplug eth0\niface eth0 inet dhcp\n";
const WICKED_CONFIG: &[u8] = b"NETCONFIG_DNS_POLICY=\"auto\"\nNETCONFIG_DNS_STATIC_SERVERS=\"\"\n";
/// Kernel names for the NICs in os.conf order: predictable ones and `ethN` ones.
const NAMES: [&str; 8] = ["ens3", "eth1", "enp0s4", "eth3", "ens5", "eth5", "ens7", "eth7"];

thread_local! {
    static BUFS: RefCell<(Vec<u8>, Vec<u8>)> =
        RefCell::new((vec![0u8; plan::PLAN_BYTES], vec![0u8; plan::PLAN_BYTES]));
}

fn line(f: impl FnOnce(&mut Out<'_>)) -> Vec<u8> {
    let mut b = [0u8; report::LINE];
    let mut l = Out::new(&mut b);
    f(&mut l);
    l.as_bytes().to_vec()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

fuzz_target!(|data: &[u8]| {
    let parsed = conf::parse(data);
    let config = &parsed.config;
    let secret: Option<Vec<u8>> =
        config.password.as_ref().map(|h| h.expose().as_bytes().to_vec()).filter(|h| h.first() == Some(&b'$'));
    let mut log = Vec::new();
    for n in &parsed.notes {
        log.push(line(|l| {
            let _ = report::note(l, n, config);
        }));
    }

    let ifaces: Vec<Iface<'_>> = config
        .nics
        .iter()
        .zip(NAMES)
        .enumerate()
        .map(|(i, (n, name))| Iface { mac: n.mac, name, renamed: i == 1 && data.len() % 2 == 1 })
        .collect();
    let mut shared = [Existing::Missing; 8];
    for (i, f) in plan::FORMATS.iter().enumerate() {
        if let (Some(s), Some(slot)) = (f.shared.as_ref(), shared.get_mut(i)) {
            *slot = Existing::Regular(if s.path.contains("interfaces") { ENI } else { WICKED_CONFIG });
        }
    }
    let mut stale = Str::new();
    let _ = stale.push_str("etc/systemd/network/10-osconf-525400000099.network");
    let networkd = plan::format_bit(b"networkd").unwrap_or(0).trailing_zeros() as u8;
    let owned = [(networkd, stale)];
    let facts = Facts {
        shadow: Existing::Regular(SHADOW),
        hosts: Existing::Regular(HOSTS),
        resolv: Existing::Regular(RESOLV),
        sysconfig_network: Existing::Regular(SYSCONFIG_NETWORK),
        ifaces: &ifaces,
        formats: (1 << plan::FORMATS.len()) - 1,
        shared: &shared,
        today: Some(20_000),
        owned: &owned,
        nics_complete: !parsed.notes.iter().any(|n| matches!(n.skips(), Some(Section::Nic(_)))),
        // The same bytes as a state file from the root (hostile too): applied or kept
        // depending on what they hold.
        state: State::parse(data),
        force: data.len() % 3 == 0,
    };

    BUFS.with(|bufs| {
        let (a, b) = &mut *bufs.borrow_mut();
        let p1 = plan::build(config, &facts, a);
        let p2 = plan::build(config, &facts, b);
        assert_eq!(p1.edits, p2.edits, "the plan is deterministic");
        assert_eq!(p1.events, p2.events, "the plan is deterministic");
        for e in &p1.events {
            log.push(line(|l| {
                let _ = report::event(l, e);
            }));
        }
        for e in &p1.edits {
            assert_eq!(p1.content(e), p2.content(e), "the plan is deterministic: {}", e.path);
            log.push(line(|l| {
                let _ = report::action(l, e, config, Outcome::Planned);
            }));
            if let Some(h) = &secret {
                let shadow = e.target == Target::Shadow;
                assert!(shadow || !contains(p1.content(e), h), "password hash in {}", e.path);
            }
        }
    });
    if let Some(h) = &secret {
        for l in &log {
            assert!(!contains(l, h), "password hash in a log line");
        }
    }
});
