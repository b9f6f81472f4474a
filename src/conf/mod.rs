//! os.conf → validated [`Config`] plus [`Note`]s (one per problem, for the log).
//!
//! The file is read line by line with [`lex`]; known keys are validated into the types of
//! [`value`] at once; the last occurrence of a key wins (and the earlier one is reported).
//! Then each *section* — hostname, password, DNS, each NIC — is assembled on its own: a
//! bad or missing value skips that section only. Unknown keys are ignored.

pub mod lex;
pub mod value;

use crate::limits::{INSTANCE_ID_MAX, LINE_MAX, MAX_NICS};
use heapless::{String, Vec};
pub use value::{CryptHash, DnsDropped, DnsList, Hostname, HostnameChanges, Invalid, Ipv4, Mac, Prefix};

/// The per-NIC keys: `ethN_ip_addr`, `ethN_mac_addr`, `ethN_netmask`, `ethN_gateway`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NicKey {
    IpAddr,
    MacAddr,
    Netmask,
    Gateway,
}

impl NicKey {
    pub fn suffix(self) -> &'static str {
        match self {
            NicKey::IpAddr => "ip_addr",
            NicKey::MacAddr => "mac_addr",
            NicKey::Netmask => "netmask",
            NicKey::Gateway => "gateway",
        }
    }
    const ALL: [NicKey; 4] = [NicKey::IpAddr, NicKey::MacAddr, NicKey::Netmask, NicKey::Gateway];
}

/// A key osconf understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Hostname,
    Password,
    DnsNameserver,
    InstanceId,
    Nic(u8, NicKey),
}

impl Key {
    pub fn from_bytes(k: &[u8]) -> Option<Key> {
        Some(match k {
            b"hostname" => Key::Hostname,
            b"password" => Key::Password,
            b"dns_nameserver" => Key::DnsNameserver,
            b"instance_id" => Key::InstanceId,
            _ => {
                let rest = k.strip_prefix(b"eth")?;
                let (&digit, rest) = rest.split_first()?;
                let rest = rest.strip_prefix(b"_")?;
                let n = digit.checked_sub(b'0').filter(|n| usize::from(*n) < MAX_NICS)?;
                let nk = NicKey::ALL.into_iter().find(|nk| nk.suffix().as_bytes() == rest)?;
                Key::Nic(n, nk)
            }
        })
    }

    /// The section a bad value of this key skips.
    pub fn section(self) -> Section {
        match self {
            Key::Hostname => Section::Hostname,
            Key::Password => Section::Password,
            Key::DnsNameserver => Section::Dns,
            Key::InstanceId => Section::InstanceId,
            Key::Nic(n, _) => Section::Nic(n),
        }
    }
}

impl ufmt::uDisplay for Key {
    fn fmt<W: ufmt::uWrite + ?Sized>(&self, f: &mut ufmt::Formatter<'_, W>) -> Result<(), W::Error> {
        match self {
            Key::Hostname => f.write_str("hostname"),
            Key::Password => f.write_str("password"),
            Key::DnsNameserver => f.write_str("dns_nameserver"),
            Key::InstanceId => f.write_str("instance_id"),
            Key::Nic(n, k) => ufmt::uwrite!(f, "eth{}_{}", n, k.suffix()),
        }
    }
}

/// What a problem makes osconf leave alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Hostname,
    Password,
    Dns,
    InstanceId,
    Nic(u8),
}

/// One thing worth a log line about the file itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// A line that could not be read; its key's section (if the key was readable and
    /// known) is skipped.
    Syntax { key: Option<Key>, error: lex::LineError },
    /// A known key with a bad value: its section is skipped.
    Invalid { key: Key, why: Invalid },
    /// A key given again; this line wins over `earlier`.
    Duplicate { key: Key, earlier: u16 },
    /// The hostname was changed to be valid everywhere.
    HostnameNormalised(HostnameChanges),
    /// Some `dns_nameserver` entries were dropped; the rest apply.
    DnsDropped(DnsDropped),
    /// A NIC lacks a key it needs; the NIC is skipped.
    NicMissing { nic: u8, key: NicKey },
    /// Two NICs name the same MAC; the later one is skipped.
    NicDuplicateMac { nic: u8, first: u8 },
    /// A key that looks like ours but is not supported (e.g. `eth8_ip_addr`).
    UnknownNicKey,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Note {
    /// 1-based line in os.conf; 0 when the note is about a section, not a line.
    pub line: u16,
    pub kind: NoteKind,
}

impl Note {
    /// Whether this note means a section is not applied.
    pub fn skips(&self) -> Option<Section> {
        match self.kind {
            NoteKind::Syntax { key: Some(k), .. } | NoteKind::Invalid { key: k, .. } => Some(k.section()),
            NoteKind::NicMissing { nic, .. } | NoteKind::NicDuplicateMac { nic, .. } => Some(Section::Nic(nic)),
            _ => None,
        }
    }
}

/// A NIC with everything it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nic {
    /// N of `ethN_*` in os.conf (not the kernel's name).
    pub index: u8,
    pub mac: Mac,
    pub addr: Ipv4,
    pub prefix: Prefix,
    pub gateway: Option<Ipv4>,
}

/// Everything that validated. Absent fields were absent or invalid (see the notes).
#[derive(Debug, Default)]
pub struct Config {
    pub hostname: Option<Hostname>,
    pub password: Option<CryptHash>,
    pub dns: Option<DnsList>,
    pub instance_id: Option<String<INSTANCE_ID_MAX>>,
    /// In `ethN` order.
    pub nics: Vec<Nic, MAX_NICS>,
}

/// Room for notes; more than this are counted in [`Parsed::notes_dropped`].
pub const MAX_NOTES: usize = 48;

#[derive(Debug, Default)]
pub struct Parsed {
    pub config: Config,
    pub notes: Vec<Note, MAX_NOTES>,
    pub notes_dropped: u16,
}

impl Parsed {
    fn note(&mut self, line: u16, kind: NoteKind) {
        if self.notes.push(Note { line, kind }).is_err() {
            self.notes_dropped = self.notes_dropped.saturating_add(1);
        }
    }

    /// Whether any section was skipped.
    pub fn skipped_any(&self) -> bool {
        self.notes.iter().any(|n| n.skips().is_some()) || self.notes_dropped > 0
    }
}

/// The latest value of one key: its line and its validated value or why it failed.
struct Slot<T> {
    line: u16,
    value: Result<T, Invalid>,
    /// The line could not be read at all (kept apart so the note says why).
    syntax: Option<lex::LineError>,
}

type Opt<T> = Option<Slot<T>>;

#[derive(Default)]
struct NicSlots {
    ip: Opt<Ipv4>,
    mac: Opt<Mac>,
    mask: Opt<Prefix>,
    gw: Opt<Ipv4>,
}

#[derive(Default)]
struct Slots {
    hostname: Opt<(Hostname, HostnameChanges)>,
    password: Opt<CryptHash>,
    dns: Opt<(DnsList, DnsDropped)>,
    instance_id: Opt<String<INSTANCE_ID_MAX>>,
    nics: [NicSlots; MAX_NICS],
}

/// Parses os.conf. Never fails: problems become notes, and what is valid is kept.
pub fn parse(data: &[u8]) -> Parsed {
    let mut out = Parsed::default();
    let mut slots = Slots::default();
    let mut value: Vec<u8, LINE_MAX> = Vec::new();
    for (i, raw) in crate::text::lines(data).enumerate() {
        let line = u16::try_from(i + 1).unwrap_or(u16::MAX);
        let (key, syntax) = match lex::line(raw, &mut value) {
            lex::Line::Nothing => continue,
            lex::Line::Assignment { key } => (key, None),
            lex::Line::Error { key: None, error } => {
                out.note(line, NoteKind::Syntax { key: None, error });
                continue;
            }
            lex::Line::Error { key: Some(k), error } => (k, Some(error)),
        };
        let Some(key) = Key::from_bytes(key) else {
            if looks_like_nic_key(key) {
                out.note(line, NoteKind::UnknownNicKey);
            }
            continue;
        };
        store(&mut out, &mut slots, key, line, syntax, &value);
    }
    value.clear();
    finish(&mut out, slots);
    sort_by_line(&mut out.notes);
    out
}

/// Stable insertion sort by line; notes about a whole section (line 0) go last.
fn sort_by_line(notes: &mut [Note]) {
    let key = |n: &Note| if n.line == 0 { u16::MAX } else { n.line };
    for i in 1..notes.len() {
        let mut j = i;
        while j > 0 && key(&notes[j - 1]) > key(&notes[j]) {
            notes.swap(j - 1, j);
            j -= 1;
        }
    }
}

fn looks_like_nic_key(k: &[u8]) -> bool {
    k.strip_prefix(b"eth").and_then(|r| r.first()).is_some_and(u8::is_ascii_digit)
}

fn put<T>(out: &mut Parsed, slot: &mut Opt<T>, key: Key, line: u16, syntax: Option<lex::LineError>, v: impl FnOnce() -> Result<T, Invalid>) {
    if let Some(old) = slot {
        out.note(line, NoteKind::Duplicate { key, earlier: old.line });
    }
    let value = match syntax {
        Some(_) => Err(Invalid::Empty),
        None => v(),
    };
    *slot = Some(Slot { line, value, syntax });
}

fn store(out: &mut Parsed, s: &mut Slots, key: Key, line: u16, syntax: Option<lex::LineError>, v: &[u8]) {
    match key {
        Key::Hostname => put(out, &mut s.hostname, key, line, syntax, || Hostname::parse(v)),
        Key::Password => put(out, &mut s.password, key, line, syntax, || CryptHash::parse(v)),
        Key::DnsNameserver => put(out, &mut s.dns, key, line, syntax, || DnsList::parse(v)),
        Key::InstanceId => put(out, &mut s.instance_id, key, line, syntax, || instance_id(v)),
        Key::Nic(n, nk) => {
            let Some(nic) = s.nics.get_mut(usize::from(n)) else { return };
            match nk {
                NicKey::IpAddr => put(out, &mut nic.ip, key, line, syntax, || Ipv4::parse_unicast(v)),
                NicKey::MacAddr => put(out, &mut nic.mac, key, line, syntax, || Mac::parse(v)),
                NicKey::Netmask => put(out, &mut nic.mask, key, line, syntax, || Prefix::parse(v)),
                NicKey::Gateway => put(out, &mut nic.gw, key, line, syntax, || Ipv4::parse_unicast(v)),
            }
        }
    }
}

fn instance_id(v: &[u8]) -> Result<String<INSTANCE_ID_MAX>, Invalid> {
    if v.is_empty() {
        return Err(Invalid::Empty);
    }
    let mut s = String::new();
    for &b in v {
        if !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.') {
            return Err(Invalid::BadChar);
        }
        s.push(b as char).map_err(|_| Invalid::TooLong)?;
    }
    Ok(s)
}

/// Takes a slot's value, or notes why there is none. `Ok(None)`: key absent.
fn take<T>(out: &mut Parsed, slot: Opt<T>, key: Key) -> Result<Option<T>, ()> {
    match slot {
        None => Ok(None),
        Some(Slot { line, syntax: Some(error), .. }) => {
            out.note(line, NoteKind::Syntax { key: Some(key), error });
            Err(())
        }
        Some(Slot { line, value: Err(why), .. }) => {
            out.note(line, NoteKind::Invalid { key, why });
            Err(())
        }
        Some(Slot { value: Ok(v), .. }) => Ok(Some(v)),
    }
}

fn finish(out: &mut Parsed, s: Slots) {
    let line_of = |o: &Opt<(Hostname, HostnameChanges)>| o.as_ref().map_or(0, |s| s.line);
    let hline = line_of(&s.hostname);
    if let Ok(Some((h, changes))) = take(out, s.hostname, Key::Hostname) {
        if changes.any() {
            out.note(hline, NoteKind::HostnameNormalised(changes));
        }
        out.config.hostname = Some(h);
    }
    if let Ok(Some(p)) = take(out, s.password, Key::Password) {
        out.config.password = Some(p);
    }
    let dline = s.dns.as_ref().map_or(0, |s| s.line);
    if let Ok(Some((d, dropped))) = take(out, s.dns, Key::DnsNameserver) {
        if dropped != DnsDropped::default() {
            out.note(dline, NoteKind::DnsDropped(dropped));
        }
        out.config.dns = Some(d);
    }
    if let Ok(Some(id)) = take(out, s.instance_id, Key::InstanceId) {
        out.config.instance_id = Some(id);
    }
    for (n, slots) in s.nics.into_iter().enumerate() {
        let n = n as u8;
        if slots.ip.is_none() && slots.mac.is_none() && slots.mask.is_none() && slots.gw.is_none() {
            continue;
        }
        // Every key is looked at, so each bad one gets its own line.
        let ip = take(out, slots.ip, Key::Nic(n, NicKey::IpAddr));
        let mac = take(out, slots.mac, Key::Nic(n, NicKey::MacAddr));
        let mask = take(out, slots.mask, Key::Nic(n, NicKey::Netmask));
        let gw = take(out, slots.gw, Key::Nic(n, NicKey::Gateway));
        let (Ok(ip), Ok(mac), Ok(mask), Ok(gateway)) = (ip, mac, mask, gw) else { continue };
        let missing = [(ip.is_none(), NicKey::IpAddr), (mac.is_none(), NicKey::MacAddr), (mask.is_none(), NicKey::Netmask)];
        if let Some(&(_, key)) = missing.iter().find(|m| m.0) {
            out.note(0, NoteKind::NicMissing { nic: n, key });
            continue;
        }
        let (Some(addr), Some(mac), Some(prefix)) = (ip, mac, mask) else { continue };
        if let Some(first) = out.config.nics.iter().find(|o| o.mac == mac) {
            let first = first.index;
            out.note(0, NoteKind::NicDuplicateMac { nic: n, first });
            continue;
        }
        let _ = out.config.nics.push(Nic { index: n, mac, addr, prefix, gateway });
    }
}

#[cfg(test)]
mod tests;
