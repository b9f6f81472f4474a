//! Everything osconf says, one line each, as text. The binary prefixes `osconf: ` and
//! sends the line to the kernel log (or stderr). Nothing here can print a password hash:
//! [`crate::conf::CryptHash`] has no `uDisplay`, and no message takes one.

use crate::conf::{Config, Key, Note, NoteKind, Section};
use crate::plan::{Edit, Event, Skip, Target, format_name};
pub use crate::text::{Arg, say};
use crate::text::{Full, Out};
use Arg::{E, I, K, M, N, P, S};
use ufmt::uWrite;

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
    /// A stale file of ours removed.
    Removed,
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
        crate::text::nth(
            concat!("directory|", "existing file|", "create|", "write|", "owner/mode|", "fsync|", "rename",),
            self as usize,
        )
    }
}

/// Words for the errors a user can act on.
pub fn errno_text(errno: i32) -> &'static str {
    const CODES: &[u8] = &[1, 2, 5, 13, 17, 18, 19, 20, 21, 22, 28, 30, 40, 122];
    let i = CODES.iter().position(|&c| i32::from(c) == errno).unwrap_or(CODES.len());
    crate::text::nth(
        concat!(
            "operation not permitted|",
            "no such file or directory|",
            "I/O error|",
            "permission denied|",
            "file exists|",
            "path leads outside the root|",
            "no such device (no iso9660 support in this kernel?)|",
            "a path component is not a directory|",
            "is a directory|",
            "invalid argument|",
            "no space left on device|",
            "read-only file system|",
            "symbolic link refused|",
            "disk quota exceeded|",
            "error",
        ),
        i,
    )
}

/// The end of a line about the shadow file; the password's [`effect`] is part of it.
const PASSWORD_KEPT: &str = "; root password left unchanged";

/// Where the DNS goes when resolv.conf is not written; the name of a network config
/// file in other lines is part of it.
const DNS_IN_NETWORK: &str = ", DNS is in the network config";

/// Lines that name the file they are about: the plan takes the file's path from them
/// ([`crate::plan::HOSTS`], [`crate::plan::RESOLV_CONF`]; one text each).
pub const HOSTS_NO_ADDRESS: &str = "/etc/hosts: no NIC address in os.conf to map the hostname to; left unchanged";
pub const RESOLV_ABSENT: &str = "/etc/resolv.conf does not exist; not created";

const NO_FORMAT: &str = "network: the root shows no network stack osconf knows (netplan, nm, wicked, networkd, eni, ifcfg); network not configured (use --network)";

const PASSWORD_EFFECT: &str = crate::text::within(PASSWORD_KEPT, "root password left unchanged");
const NETWORK_CONFIG: &str = crate::text::within(DNS_IN_NETWORK, "network config");

/// What skipping a section leaves alone.
pub fn effect(s: Section) -> (&'static str, Option<u8>) {
    match s {
        Section::Hostname => ("hostname left unchanged", None),
        Section::Password => (PASSWORD_EFFECT, None),
        Section::Dns => ("DNS left unchanged", None),
        Section::InstanceId => ("instance_id ignored", None),
        Section::Nic(n) => ("network for eth", Some(n)),
    }
}

fn write_effect(w: &mut Out<'_>, s: Section) -> Result<(), Full> {
    match effect(s) {
        (text, Some(n)) => say(w, "{}{} skipped", &[S(text), N(n.into())]),
        (text, None) => w.write_str(text),
    }
}

fn bad_value(w: &mut Out<'_>, key: Key, line: u32, why: &str) -> Result<(), Full> {
    say(w, "{} (line {}): {}; ", &[K(key), N(line), S(why)])?;
    write_effect(w, key.section())
}

/// One line about os.conf itself.
#[inline(never)]
pub fn note(w: &mut Out<'_>, n: &Note, config: &Config) -> Result<(), Full> {
    let line = u32::from(n.line);
    match n.kind {
        NoteKind::Syntax { key: Some(key), error } => bad_value(w, key, line, error.reason()),
        NoteKind::Invalid { key, why } => bad_value(w, key, line, why.reason()),
        NoteKind::Syntax { key: None, error } => say(w, "os.conf line {}: {}; ignored", &[N(line), S(error.reason())]),
        NoteKind::Duplicate { key, earlier } => say(
            w,
            "{} (line {}): given again (first on line {}); the last one wins",
            &[K(key), N(line), N(earlier.into())],
        ),
        NoteKind::HostnameNormalised(ch) => {
            let host = config.hostname.as_ref().map_or("", |h| h.as_str());
            say(w, "{} (line {}): written as {}", &[K(Key::Hostname), N(line), S(host)])?;
            let mut sep = " (";
            let what = concat!(
                "'_' became '-', which systemd requires|",
                "trailing '.' dropped|",
                "longer than 64 bytes, first label kept",
            );
            // (By index: the array's into_iter().enumerate() is larger.)
            let changes = [ch.underscores, ch.trailing_dot, ch.cut_to_first_label];
            for i in 0..changes.len() {
                if changes.get(i) == Some(&true) {
                    w.write_str(sep)?;
                    w.write_str(crate::text::nth(what, i))?;
                    sep = "; ";
                }
            }
            w.write_str(")")
        }
        NoteKind::DnsDropped(d) => {
            say(w, "{} (line {}): ", &[K(Key::DnsNameserver), N(line)])?;
            let mut sep = "";
            if d.bad > 0 {
                say(
                    w,
                    "{} entr{} not an IPv4 address (first: entry {})",
                    &[
                        N(d.bad.into()),
                        S(if d.bad == 1 { "y" } else { "ies" }),
                        N(d.first_bad_index.wrapping_add(1).into()),
                    ],
                )?;
                sep = ", ";
            }
            if d.duplicates > 0 {
                say(w, "{}{} duplicate(s)", &[S(sep), N(d.duplicates.into())])?;
                sep = ", ";
            }
            if d.over_limit > 0 {
                say(w, "{}{} beyond the {} kept", &[S(sep), N(d.over_limit.into()), N(crate::limits::MAX_DNS as u32)])?;
            }
            let kept = config.dns.as_ref().map_or(0, |d| d.servers().len());
            say(w, " dropped; using {} server(s)", &[N(kept as u32)])
        }
        NoteKind::NicMissing { nic, key } => {
            say(w, "eth{}: eth{}_{} missing; ", &[N(nic.into()), N(nic.into()), S(key.suffix())])?;
            write_effect(w, Section::Nic(nic))
        }
        NoteKind::NicDuplicateMac { nic, first } => {
            say(w, "eth{}: same MAC address as eth{}; ", &[N(nic.into()), N(first.into())])?;
            write_effect(w, Section::Nic(nic))
        }
        NoteKind::GatewayEmpty { nic } | NoteKind::GatewayOffLink { nic } => {
            // One say for both: the same values, the template picked.
            let tpl = if matches!(n.kind, NoteKind::GatewayEmpty { .. }) {
                "{} (line {}): empty; eth{} has no gateway"
            } else {
                "{} (line {}): outside eth{}'s subnet; reached on-link"
            };
            say(w, tpl, &[K(Key::Nic(nic, crate::conf::NicKey::Gateway)), N(line), N(nic.into())])
        }
        NoteKind::UnknownNicKey => say(
            w,
            "os.conf line {}: only eth0..eth{} are supported; ignored",
            &[N(line), N(crate::limits::MAX_NICS as u32 - 1)],
        ),
    }
}

fn skip_text(why: Skip) -> &'static str {
    crate::text::nth(
        concat!(
            "does not exist|",
            "is a symbolic link (owned by another tool); left alone|",
            "is not a regular file; left alone|",
            "is larger than osconf edits; left alone|",
            "could not be read; left alone|",
            "has no line for root; left alone|",
            "is too large to rewrite; left alone|",
            "a symbolic link or a non-directory on this path is refused; left alone",
        ),
        why as usize,
    )
}

/// `/<path> <why>`; for a refused directory, that directory is named (`/etc/sysconfig`
/// for `/etc/sysconfig/network`): it, not the file, is what is wrong.
fn skipped(w: &mut Out<'_>, path: &str, why: Skip) -> Result<(), Full> {
    if why == Skip::DirRefused {
        // (A byte search: `rsplit_once('/')` is a char searcher, several times the code.)
        let dir = path.bytes().rposition(|b| b == b'/').and_then(|i| path.get(..i)).unwrap_or(path);
        return say(w, "/{} (for /{}): {}", &[S(dir), S(path), S(skip_text(why))]);
    }
    say(w, "/{} {}", &[S(path), S(skip_text(why))])
}

fn target_path(t: Target) -> &'static str {
    t.fixed_path().unwrap_or(NETWORK_CONFIG)
}

/// One line about a planning decision.
#[inline(never)]
pub fn event(w: &mut Out<'_>, e: &Event) -> Result<(), Full> {
    match *e {
        Event::Format { format, because } => {
            say(w, "network: writing {} config (", &[S(format_name(format))])?;
            match because {
                Some(paths) => {
                    w.write_str("the root has ")?;
                    let mut sep = "/";
                    for p in crate::plan::pieces(paths, b' ') {
                        w.write_str(sep)?;
                        w.write_str(p)?;
                        sep = " and /";
                    }
                }
                None => w.write_str(const { crate::text::within(NO_FORMAT, "--network") })?,
            }
            w.write_str(")")
        }
        Event::NoFormat => w.write_str(NO_FORMAT),
        Event::NicNotPresent { nic, format, .. } | Event::NicRenamed { nic, format } => {
            match *e {
                Event::NicNotPresent { mac, .. } => {
                    say(w, "eth{}: no network interface with MAC {} in this system", &[N(nic.into()), M(mac)])?
                }
                _ => say(
                    w,
                    "eth{}: the root renames its NIC at boot and this system's udev database does not say to what",
                    &[N(nic.into())],
                )?,
            }
            say(
                w,
                "; {} names files after the interface, so eth{} is not written",
                &[S(format_name(format)), N(nic.into())],
            )
        }
        Event::NoGateway => w.write_str("network: no gateway in os.conf; no default route configured"),
        Event::ExtraGateway { nic, via } => {
            say(w, "eth{}: gateway not used: the one default route goes via eth{}", &[N(nic.into()), N(via.into())])
        }
        Event::HostsNoAddress => w.write_str(HOSTS_NO_ADDRESS),
        Event::ResolvLeft { symlink, dns_in_network } => {
            w.write_str(if symlink {
                "/etc/resolv.conf is a symbolic link (resolved/NetworkManager own it); left alone"
            } else {
                RESOLV_ABSENT
            })?;
            w.write_str(if dns_in_network { DNS_IN_NETWORK } else { "; DNS not configured" })
        }
        Event::Skipped { target, why } => {
            skipped(w, target_path(target), why)?;
            if target == Target::Shadow {
                w.write_str(PASSWORD_KEPT)?;
            }
            Ok(())
        }
        Event::Unchanged { password } => say(
            w,
            "{}: the CD's is the one applied on an earlier boot (/etc/osconf.state); the system's own is kept (osconf.force applies it again)",
            &[S(if password { "password" } else { "hostname" })],
        ),
        Event::ResolvOverMax { dropped } => say(
            w,
            "/etc/resolv.conf: only the first {} nameservers are used by the resolver; {} more are in the network config only",
            &[N(crate::limits::MAXNS as u32), N(dropped.into())],
        ),
    }
}

/// One line about an edit: what it is and how it went.
#[inline(never)]
pub fn action(w: &mut Out<'_>, edit: &Edit, config: &Config, outcome: Outcome) -> Result<(), Full> {
    let path = S(edit.path.as_str());
    match outcome {
        Outcome::Removed | Outcome::Planned if edit.remove => {
            let verb = if outcome == Outcome::Removed { "removed" } else { "would remove" };
            return say(w, "{} /{}: written by osconf for a NIC os.conf no longer describes", &[S(verb), path]);
        }
        Outcome::Written { .. } | Outcome::Removed | Outcome::Unchanged | Outcome::Planned => {
            let i = match outcome {
                Outcome::Written { created: true } => 0,
                Outcome::Written { created: false } | Outcome::Removed => 1,
                Outcome::Unchanged => 2,
                _ => 3,
            };
            // Picked by position: one `say` for the four.
            let tpl = concat!("created /{}: |", "updated /{}: |", "/{} already up to date: |", "would write /{}: ");
            say(w, crate::text::nth(tpl, i), &[path])?
        }
        Outcome::LeftAlone(why) => return skipped(w, edit.path.as_str(), why),
        Outcome::Failed { step, errno } => {
            say(w, "could not write /{} ({}: {}); ", &[path, S(step.name()), E(errno)])?;
            return match edit.target {
                Target::Network { nic, .. } => say(w, "network for eth{} not configured", &[N(nic.into())]),
                Target::Shadow => w.write_str(PASSWORD_EFFECT),
                Target::Resolv => w.write_str("DNS left unchanged"),
                Target::Shared { .. } => w.write_str("network not fully configured"),
                _ => w.write_str("hostname not fully applied"),
            };
        }
    }
    describe(w, edit, config)
}

fn describe(w: &mut Out<'_>, edit: &Edit, config: &Config) -> Result<(), Full> {
    let host = config.hostname.as_ref().map_or("", |h| h.as_str());
    match edit.target {
        Target::Network { format, nic } => {
            let Some(n) = config.nics.iter().find(|n| n.index == nic) else { return Ok(()) };
            say(w, "eth{} {} {}/{}", &[N(nic.into()), M(n.mac), I(n.addr), P(n.prefix)])?;
            if let Some(gw) = n.gateway {
                say(w, " gateway {}", &[I(gw)])?;
            }
            say(w, " ({})", &[S(format_name(format))])
        }
        Target::Resolv => {
            let n = config.dns.as_ref().map_or(0, |d| d.servers().len()).min(crate::limits::MAXNS);
            say(w, "{} nameserver(s)", &[N(n as u32)])
        }
        Target::Hostname => w.write_str(host),
        Target::SysconfigNetwork => say(w, "HOSTNAME={}", &[S(host)]),
        Target::Hosts => w.write_str(host),
        Target::Shadow => w.write_str("root password from the config CD"),
        Target::State => w.write_str("what was applied, as fingerprints"),
        Target::Shared { format } => say(w, "the NICs' part ({})", &[S(format_name(format))]),
    }
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
                let mut b = [0u8; LINE];
                let mut l = Out::new(&mut b);
                note(&mut l, n, &p.config).unwrap();
                std::str::from_utf8(l.as_bytes()).unwrap().into()
            })
            .collect()
    }

    #[test]
    fn texts_picked_by_position_match_their_variants() {
        assert_eq!(crate::conf::value::Invalid::Empty.reason(), "empty value");
        assert_eq!(crate::conf::value::Invalid::TooLong.reason(), "value too long");
        assert_eq!(crate::conf::value::Invalid::BadChar.reason(), "contains a character not allowed here");
        assert_eq!(
            crate::conf::value::Invalid::HostnameLabel.reason(),
            "not a hostname (labels of letters, digits and '-', 1-63 bytes, no '-' at either end)"
        );
        assert_eq!(crate::iso::IsoError::Io.reason(), "read error on the CD or image (truncated?)");
        assert_eq!(crate::iso::IsoError::NotIso.reason(), "no ISO9660 volume descriptor at sector 16");
        assert_eq!(crate::iso::IsoError::BadDescriptor.reason(), "malformed ISO9660 volume descriptor");
        assert_eq!(crate::iso::IsoError::BadDirectory.reason(), "malformed ISO9660 directory record");
        assert_eq!(crate::iso::IsoError::DirectoryTooLarge.reason(), "ISO9660 directory too large to scan");
        assert_eq!(crate::iso::IsoError::BadRockRidge.reason(), "malformed Rock Ridge continuation area");
        assert_eq!(crate::iso::IsoError::NotFound.reason(), "file not found on the ISO image");
        assert_eq!(
            crate::iso::IsoError::NotFoundLevel1.reason(),
            "file not found on the ISO image (only 8.3 names, none matched)"
        );
        assert_eq!(crate::iso::IsoError::NotAFile.reason(), "a directory is where the file should be");
        assert_eq!(crate::iso::IsoError::NotADirectory.reason(), "a file is where a directory should be");
        assert_eq!(crate::iso::IsoError::MultiExtent.reason(), "multi-extent file on the ISO image (not supported)");
        assert_eq!(crate::iso::IsoError::Interleaved.reason(), "interleaved file on the ISO image (not supported)");
        assert_eq!(crate::iso::IsoError::TooLarge.reason(), "file on the ISO image is too large");
        assert_eq!(crate::conf::lex::LineError::NotAssignment.reason(), "not a key=value line");
        assert_eq!(crate::conf::lex::LineError::BadKey.reason(), "not a valid key name");
        assert_eq!(crate::conf::lex::LineError::UnterminatedQuote.reason(), "quote not closed on the same line");
        assert_eq!(crate::conf::lex::LineError::TooLong.reason(), "line too long");
        assert_eq!(crate::conf::lex::LineError::ControlByte.reason(), "contains a control character");
        assert_eq!(crate::iso::NameKind::RockRidge.as_str(), "Rock Ridge name");
        assert_eq!(crate::iso::NameKind::Joliet.as_str(), "Joliet name");
        assert_eq!(crate::iso::NameKind::Plain.as_str(), "ISO9660 name");
        assert_eq!(crate::iso::NameKind::Level1Fallback.as_str(), "ISO9660 level-1 8.3 name");
        assert_eq!(crate::conf::NicKey::IpAddr.suffix(), "ip_addr");
        assert_eq!(crate::conf::NicKey::MacAddr.suffix(), "mac_addr");
        assert_eq!(crate::conf::NicKey::Netmask.suffix(), "netmask");
        assert_eq!(crate::conf::NicKey::Gateway.suffix(), "gateway");
        assert_eq!(Step::Directory.name(), "directory");
        assert_eq!(Step::Existing.name(), "existing file");
        assert_eq!(Step::Create.name(), "create");
        assert_eq!(Step::Write.name(), "write");
        assert_eq!(Step::Owner.name(), "owner/mode");
        assert_eq!(Step::Sync.name(), "fsync");
        assert_eq!(Step::Rename.name(), "rename");
        assert_eq!(skip_text(Skip::Missing), "does not exist");
        assert_eq!(skip_text(Skip::Symlink), "is a symbolic link (owned by another tool); left alone");
        assert_eq!(skip_text(Skip::NotRegular), "is not a regular file; left alone");
        assert_eq!(skip_text(Skip::TooLarge), "is larger than osconf edits; left alone");
        assert_eq!(skip_text(Skip::Unreadable), "could not be read; left alone");
        assert_eq!(skip_text(Skip::NoRootLine), "has no line for root; left alone");
        assert_eq!(skip_text(Skip::NoRoom), "is too large to rewrite; left alone");
        assert_eq!(
            skip_text(Skip::DirRefused),
            "a symbolic link or a non-directory on this path is refused; left alone"
        );
        assert_eq!(errno_text(1), "operation not permitted");
        assert_eq!(errno_text(2), "no such file or directory");
        assert_eq!(errno_text(5), "I/O error");
        assert_eq!(errno_text(13), "permission denied");
        assert_eq!(errno_text(17), "file exists");
        assert_eq!(errno_text(18), "path leads outside the root");
        assert_eq!(errno_text(19), "no such device (no iso9660 support in this kernel?)");
        assert_eq!(errno_text(20), "a path component is not a directory");
        assert_eq!(errno_text(21), "is a directory");
        assert_eq!(errno_text(22), "invalid argument");
        assert_eq!(errno_text(28), "no space left on device");
        assert_eq!(errno_text(30), "read-only file system");
        assert_eq!(errno_text(40), "symbolic link refused");
        assert_eq!(errno_text(122), "disk quota exceeded");
        assert_eq!(errno_text(3), "error");
        assert_eq!(errno_text(-1), "error");
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
