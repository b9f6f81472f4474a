//! Everything osconf says, one line each, as text. The binary prefixes `osconf: ` and
//! sends the line to the kernel log (or stderr). Nothing here can print a password hash:
//! [`crate::conf::CryptHash`] has no `uDisplay`, and no message takes one.

use crate::conf::{Config, Key, Note, NoteKind, Section};
use crate::plan::{self, Edit, Event, FORMATS, Skip, Target};
use ufmt::{uWrite, uwrite};

/// Room for one log line.
pub const LINE: usize = 320;
pub type Line = heapless::String<LINE>;

/// How applying one edit went (decided by the binary, worded here).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Written {
        created: bool,
    },
    Unchanged,
    /// Would be written (`--dry-run`).
    Planned,
    Failed {
        step: Step,
        errno: i32,
    },
    /// A symlink or non-regular file is where the file goes: not ours to replace.
    LeftAlone(Skip),
}

/// The step of a confined file replacement that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Opening the directory that holds the file (confined to the root).
    Directory,
    /// Reading or checking the existing file.
    Existing,
    Create,
    Write,
    Owner,
    Sync,
    Rename,
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Step::Directory => "directory",
            Step::Existing => "existing file",
            Step::Create => "create",
            Step::Write => "write",
            Step::Owner => "owner/mode",
            Step::Sync => "fsync",
            Step::Rename => "rename",
        }
    }
}

/// Words for the errors a user can act on.
pub fn errno_text(errno: i32) -> &'static str {
    match errno {
        1 => "operation not permitted",
        2 => "no such file or directory",
        5 => "I/O error",
        13 => "permission denied",
        17 => "file exists",
        18 => "path leads outside the root",
        19 => "no such device (no iso9660 support in this kernel?)",
        20 => "a path component is not a directory",
        21 => "is a directory",
        22 => "invalid argument",
        28 => "no space left on device",
        30 => "read-only file system",
        40 => "symbolic link refused",
        122 => "disk quota exceeded",
        _ => "error",
    }
}

/// `<words>, errno <n>`, as every log line about a failed syscall says it.
pub fn errno_words<W: uWrite + ?Sized>(w: &mut W, errno: i32) -> Result<(), W::Error> {
    uwrite!(w, "{}, errno {}", errno_text(errno), errno)
}

/// What skipping a section leaves alone.
pub fn effect(s: Section) -> (&'static str, Option<u8>) {
    match s {
        Section::Hostname => ("hostname left unchanged", None),
        Section::Password => ("root password left unchanged", None),
        Section::Dns => ("DNS left unchanged", None),
        Section::InstanceId => ("instance_id ignored", None),
        Section::Nic(n) => ("network for eth", Some(n)),
    }
}

fn write_effect<W: uWrite + ?Sized>(w: &mut W, s: Section) -> Result<(), W::Error> {
    match effect(s) {
        (text, Some(n)) => uwrite!(w, "{}{} skipped", text, n),
        (text, None) => w.write_str(text),
    }
}

fn key_line<W: uWrite + ?Sized>(w: &mut W, key: Key, line: u16) -> Result<(), W::Error> {
    uwrite!(w, "{} (line {}): ", key, line)
}

/// One line about os.conf itself.
#[inline(never)]
pub fn note<W: uWrite + ?Sized>(w: &mut W, n: &Note, config: &Config) -> Result<(), W::Error> {
    match n.kind {
        NoteKind::Syntax { key: Some(key), error } => {
            key_line(w, key, n.line)?;
            uwrite!(w, "{}; ", error.reason())?;
            write_effect(w, key.section())
        }
        NoteKind::Syntax { key: None, error } => {
            uwrite!(w, "os.conf line {}: {}; ignored", n.line, error.reason())
        }
        NoteKind::Invalid { key, why } => {
            key_line(w, key, n.line)?;
            uwrite!(w, "{}; ", why.reason())?;
            write_effect(w, key.section())
        }
        NoteKind::Duplicate { key, earlier } => {
            key_line(w, key, n.line)?;
            uwrite!(w, "given again (first on line {}); the last one wins", earlier)
        }
        NoteKind::HostnameNormalised(ch) => {
            key_line(w, Key::Hostname, n.line)?;
            w.write_str("written as ")?;
            if let Some(h) = &config.hostname {
                w.write_str(h.as_str())?;
            }
            let mut sep = " (";
            for (on, what) in [
                (ch.underscores, "'_' became '-', which systemd requires"),
                (ch.trailing_dot, "trailing '.' dropped"),
                (ch.cut_to_first_label, "longer than 64 bytes, first label kept"),
            ] {
                if on {
                    w.write_str(sep)?;
                    w.write_str(what)?;
                    sep = "; ";
                }
            }
            w.write_str(")")
        }
        NoteKind::DnsDropped(d) => {
            key_line(w, Key::DnsNameserver, n.line)?;
            let mut sep = "";
            if d.bad > 0 {
                uwrite!(
                    w,
                    "{} entr{} not an IPv4 address (first: entry {})",
                    d.bad,
                    if d.bad == 1 { "y" } else { "ies" },
                    d.first_bad_index + 1
                )?;
                sep = ", ";
            }
            if d.duplicates > 0 {
                uwrite!(w, "{}{} duplicate(s)", sep, d.duplicates)?;
                sep = ", ";
            }
            if d.over_limit > 0 {
                uwrite!(w, "{}{} beyond the {} kept", sep, d.over_limit, crate::limits::MAX_DNS)?;
            }
            let kept = config.dns.as_ref().map_or(0, |d| d.servers().len());
            uwrite!(w, " dropped; using {} server(s)", kept)
        }
        NoteKind::NicMissing { nic, key } => {
            uwrite!(w, "eth{}: eth{}_{} missing; ", nic, nic, key.suffix())?;
            write_effect(w, Section::Nic(nic))
        }
        NoteKind::NicDuplicateMac { nic, first } => {
            uwrite!(w, "eth{}: same MAC address as eth{}; ", nic, first)?;
            write_effect(w, Section::Nic(nic))
        }
        NoteKind::GatewayEmpty { nic } => {
            key_line(w, Key::Nic(nic, crate::conf::NicKey::Gateway), n.line)?;
            uwrite!(w, "empty; eth{} has no gateway", nic)
        }
        NoteKind::GatewayOffLink { nic } => {
            key_line(w, Key::Nic(nic, crate::conf::NicKey::Gateway), n.line)?;
            uwrite!(w, "outside eth{}'s subnet; reached on-link", nic)
        }
        NoteKind::UnknownNicKey => {
            uwrite!(w, "os.conf line {}: only eth0..eth{} are supported; ignored", n.line, crate::limits::MAX_NICS - 1)
        }
    }
}

fn skip_text(why: Skip) -> &'static str {
    match why {
        Skip::Missing => "does not exist",
        Skip::Symlink => "is a symbolic link (owned by another tool); left alone",
        Skip::NotRegular => "is not a regular file; left alone",
        Skip::TooLarge => "is larger than osconf edits; left alone",
        Skip::Unreadable => "could not be read; left alone",
        Skip::NoRootLine => "has no line for root; left alone",
        Skip::NoRoom => "is too large to rewrite; left alone",
    }
}

fn target_path(t: Target) -> &'static str {
    t.fixed_path().unwrap_or("network config")
}

/// One line about a planning decision.
#[inline(never)]
pub fn event<W: uWrite + ?Sized>(w: &mut W, e: &Event) -> Result<(), W::Error> {
    let fname = |f: u8| FORMATS.get(usize::from(f)).map_or("?", |f| f.name);
    match *e {
        Event::Format { format, because: Some(paths) } => {
            uwrite!(w, "network: writing {} config (the root has ", fname(format))?;
            for (i, p) in paths.iter().enumerate() {
                uwrite!(w, "{}/{}", if i == 0 { "" } else { " and " }, *p)?;
            }
            w.write_str(")")
        }
        Event::Format { format, because: None } => {
            uwrite!(w, "network: writing {} config (--network)", fname(format))
        }
        Event::NoFormat => w.write_str(
            "network: the root shows no network stack osconf knows (netplan, nm, networkd, ifcfg); network not configured (use --network)",
        ),
        Event::NicNotPresent { nic, mac, format } => uwrite!(
            w,
            "eth{}: no network interface with MAC {} in this system; {} names files after the interface, so eth{} is not written",
            nic,
            mac,
            fname(format),
            nic
        ),
        Event::NoGateway => w.write_str("network: no gateway in os.conf; no default route configured"),
        Event::ExtraGateway { nic, via } => uwrite!(
            w,
            "eth{}: gateway not used: the one default route goes via eth{}",
            nic,
            via
        ),
        Event::HostsNoAddress => w.write_str("/etc/hosts: no NIC address in os.conf to map the hostname to; left unchanged"),
        Event::ResolvLeft { symlink, dns_in_network } => {
            w.write_str(if symlink {
                "/etc/resolv.conf is a symbolic link (resolved/NetworkManager own it); left alone"
            } else {
                "/etc/resolv.conf does not exist; not created"
            })?;
            w.write_str(if dns_in_network { ", DNS is in the network config" } else { "; DNS not configured" })
        }
        Event::Skipped { target, why } => {
            uwrite!(w, "/{} {}", target_path(target), skip_text(why))?;
            if target == Target::Shadow {
                w.write_str("; root password left unchanged")?;
            }
            Ok(())
        }
        Event::ResolvOverMax { dropped } => uwrite!(
            w,
            "/etc/resolv.conf: only the first {} nameservers are used by the resolver; {} more are in the network config only",
            crate::limits::MAXNS,
            dropped
        ),
    }
}

/// One line about an edit: what it is and how it went.
#[inline(never)]
pub fn action<W: uWrite + ?Sized>(w: &mut W, edit: &Edit, config: &Config, outcome: Outcome) -> Result<(), W::Error> {
    match outcome {
        Outcome::Written { created: true } => uwrite!(w, "created /{}: ", edit.path.as_str())?,
        Outcome::Written { created: false } => uwrite!(w, "updated /{}: ", edit.path.as_str())?,
        Outcome::Unchanged => uwrite!(w, "/{} already up to date: ", edit.path.as_str())?,
        Outcome::Planned => uwrite!(w, "would write /{}: ", edit.path.as_str())?,
        Outcome::LeftAlone(why) => return uwrite!(w, "/{} {}", edit.path.as_str(), skip_text(why)),
        Outcome::Failed { step, errno } => {
            uwrite!(w, "could not write /{} ({}: ", edit.path.as_str(), step.name())?;
            errno_words(w, errno)?;
            w.write_str("); ")?;
            return match edit.target {
                Target::Network { nic, .. } => uwrite!(w, "network for eth{} not configured", nic),
                Target::Shadow => w.write_str("root password left unchanged"),
                Target::Resolv => w.write_str("DNS left unchanged"),
                Target::Shared { .. } => w.write_str("network not fully configured"),
                _ => w.write_str("hostname not fully applied"),
            };
        }
    }
    describe(w, edit, config)
}

fn describe<W: uWrite + ?Sized>(w: &mut W, edit: &Edit, config: &Config) -> Result<(), W::Error> {
    let host = config.hostname.as_ref().map_or("", |h| h.as_str());
    match edit.target {
        Target::Network { format, nic } => {
            let Some(n) = config.nics.iter().find(|n| n.index == nic) else { return Ok(()) };
            let name = FORMATS.get(usize::from(format)).map_or("?", |f| f.name);
            uwrite!(w, "eth{} {} {}/{}", nic, n.mac, n.addr, n.prefix)?;
            if let Some(gw) = n.gateway {
                uwrite!(w, " gateway {}", gw)?;
            }
            uwrite!(w, " ({})", name)
        }
        Target::Resolv => {
            let n = config.dns.as_ref().map_or(0, |d| d.servers().len()).min(crate::limits::MAXNS);
            uwrite!(w, "{} nameserver(s)", n)
        }
        Target::Hostname => w.write_str(host),
        Target::SysconfigNetwork => uwrite!(w, "HOSTNAME={}", host),
        Target::Hosts => w.write_str(host),
        Target::Shadow => w.write_str("root password from the config CD"),
        Target::Shared { format } => {
            uwrite!(w, "the NICs' part ({})", FORMATS.get(usize::from(format)).map_or("?", |f| f.name))
        }
    }
}

/// Keeps the report's view of the plan's decisions in one place for the binary.
pub fn plan_events<'p>(p: &'p plan::Plan<'_>) -> impl Iterator<Item = &'p Event> {
    p.events.iter()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conf::parse;

    fn lines_for(text: &str) -> std::vec::Vec<std::string::String> {
        let p = parse(text.as_bytes());
        p.notes
            .iter()
            .map(|n| {
                let mut l = Line::new();
                note(&mut l, n, &p.config).unwrap();
                l.as_str().into()
            })
            .collect()
    }

    #[test]
    fn note_lines_name_key_line_and_reason() {
        assert_eq!(
            lines_for(
                "hostname=VM_1\npassword=secret123\neth0_ip_addr=10.0.0.5\neth0_mac_addr=52:54:00:aa:bb:cc\neth0_netmask=255.0.255.0\ndns_nameserver=\"1.1.1.1 x 1.1.1.1\"\nwhat\nhostname=VM_2"
            ),
            [
                "password (line 2): not a crypt(3) hash (expected $id$... or a 13-character DES hash); root password left unchanged",
                "eth0_netmask (line 5): not a netmask (contiguous a.b.c.d, or a prefix length 1-32); network for eth0 skipped",
                "dns_nameserver (line 6): 1 entry not an IPv4 address (first: entry 2), 1 duplicate(s) dropped; using 1 server(s)",
                "os.conf line 7: not a key=value line; ignored",
                "hostname (line 8): given again (first on line 1); the last one wins",
                "hostname (line 8): written as VM-2 ('_' became '-', which systemd requires)",
            ]
        );
    }

    #[test]
    fn a_password_value_never_reaches_a_line() {
        for text in ["password=hunter2-plain", "password=$6$salt$ha:sh", "password=\"$6$salt$unterminated"] {
            for l in lines_for(text) {
                for secret in ["hunter2", "salt", "ha:sh", "unterminated"] {
                    assert!(!l.contains(secret), "{l:?} leaks {secret:?}");
                }
            }
        }
    }
}
