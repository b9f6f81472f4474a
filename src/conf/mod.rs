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
        crate::text::nth(NIC_KEY_NAMES, self as usize)
    }
    const ALL: [NicKey; 4] = [NicKey::IpAddr, NicKey::MacAddr, NicKey::Netmask, NicKey::Gateway];
}

/// The per-NIC key suffixes, in [`NicKey`]'s order.
const NIC_KEY_NAMES: &str = "ip_addr|mac_addr|netmask|gateway";

/// A key osconf understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Hostname,
    Password,
    DnsNameserver,
    InstanceId,
    Nic(u8, NicKey),
}

/// The keys that are not a NIC's, in [`Key`]'s order.
const KEY_NAMES: &str = "hostname|password|dns_nameserver|instance_id";

impl Key {
    /// The name of a key that is not a NIC's (a NIC's is `eth<n>_<suffix>`).
    pub fn fixed_name(self) -> Option<&'static str> {
        let i = match self {
            Key::Hostname => 0,
            Key::Password => 1,
            Key::DnsNameserver => 2,
            Key::InstanceId => 3,
            Key::Nic(..) => return None,
        };
        Some(crate::text::nth(KEY_NAMES, i))
    }

    pub fn from_bytes(k: &[u8]) -> Option<Key> {
        Some(match crate::text::index_of(k, KEY_NAMES.as_bytes()) {
            Some(0) => Key::Hostname,
            Some(1) => Key::Password,
            Some(2) => Key::DnsNameserver,
            Some(_) => Key::InstanceId,
            None => match *k {
                [b'e', b't', b'h', digit, b'_', ref rest @ ..] => {
                    let n = digit.checked_sub(b'0').filter(|n| usize::from(*n) < MAX_NICS)?;
                    let nk = *NicKey::ALL.get(crate::text::index_of(rest, NIC_KEY_NAMES.as_bytes())?)?;
                    Key::Nic(n, nk)
                }
                _ => return None,
            },
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
        match *self {
            Key::Nic(n, k) => ufmt::uwrite!(f, "eth{}_{}", n, k.suffix()),
            k => f.write_str(k.fixed_name().unwrap_or("")),
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
    /// `ethN_gateway=` with no value: the NIC has no gateway.
    GatewayEmpty { nic: u8 },
    /// The gateway is outside the NIC's subnet (e.g. /32 addressing): it is reached on-link.
    GatewayOffLink { nic: u8 },
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

    /// Notes a bad value. (Inlined: a call of [`Parsed::note`] as it is; measured 32
    /// bytes smaller than a call of this.)
    #[inline(always)]
    fn invalid(&mut self, line: u16, key: Key, why: Invalid) {
        self.note(line, NoteKind::Invalid { key, why });
    }

    /// Whether any section was skipped.
    pub fn skipped_any(&self) -> bool {
        self.notes.iter().any(|n| n.skips().is_some()) || self.notes_dropped > 0
    }
}

/// Longest raw value kept for validation: the longest valid value is a crypt hash
/// ([`crate::limits::HASH_MAX`]); anything longer is refused as too long.
const RAW_MAX: usize = 256;

/// The latest raw value of one key, validated only once the whole file is read (so that
/// the last occurrence decides).
struct Raw {
    line: u16,
    value: Vec<u8, RAW_MAX>,
    /// The line could not be read, or the value was too long.
    error: Option<RawError>,
}

#[derive(Clone, Copy)]
enum RawError {
    Syntax(lex::LineError),
    TooLong,
}

/// Key slots: hostname, password, dns_nameserver, instance_id, then 4 per NIC.
const SLOTS: usize = 4 + 4 * MAX_NICS;

impl Key {
    fn slot(self) -> usize {
        match self {
            Key::Nic(n, nk) => 4 + 4 * usize::from(n) + nk as usize,
            // Its place in the table (a compare loop; a `match` here is a jump table).
            k => GLOBAL_KEYS.iter().position(|&g| g == k).unwrap_or(0),
        }
    }
}

/// Parses os.conf. Never fails: problems become notes, and what is valid is kept.
pub fn parse(data: &[u8]) -> Parsed {
    let mut out = Parsed::default();
    let mut slots: [Option<Raw>; SLOTS] = [const { None }; SLOTS];
    let mut value: Vec<u8, LINE_MAX> = Vec::new();
    let mut line: u16 = 0;
    for raw in crate::text::lines(data) {
        line = line.saturating_add(1);
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
        let Some(slot) = slots.get_mut(key.slot()) else { continue };
        if let Some(old) = slot {
            out.note(line, NoteKind::Duplicate { key, earlier: old.line });
        }
        let mut v = Vec::new();
        let error = match syntax {
            Some(e) => Some(RawError::Syntax(e)),
            None => v.extend_from_slice(&value).err().map(|_| RawError::TooLong),
        };
        *slot = Some(Raw { line, value: v, error });
    }
    value.iter_mut().for_each(|b| *b = 0);
    finish(&mut out, &mut slots);
    for s in slots.iter_mut().flatten() {
        s.value.iter_mut().for_each(|b| *b = 0);
    }
    sort_by_line(&mut out.notes);
    out
}

/// Stable sort by line; notes about a whole section (line 0) go last. (Out of line:
/// measured 8 bytes smaller.)
#[inline(never)]
fn sort_by_line(notes: &mut [Note]) {
    crate::text::sort_by_key(notes, |n| if n.line == 0 { u16::MAX } else { n.line });
}

fn looks_like_nic_key(k: &[u8]) -> bool {
    matches!(k, [b'e', b't', b'h', b'0'..=b'9', ..])
}

/// (Inlined into its one caller: measured 48 bytes smaller.)
#[inline(always)]
fn instance_id(v: &[u8]) -> Result<String<INSTANCE_ID_MAX>, Invalid> {
    if v.is_empty() {
        return Err(Invalid::Empty);
    }
    let mut s = String::new();
    for &b in v {
        if !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.') {
            return Err(Invalid::BadChar);
        }
        crate::text::push(&mut s, b as char).map_err(|_| Invalid::TooLong)?;
    }
    Ok(s)
}

/// The raw value of `key` with its line; `Ok(None)` when absent; `Err` (noted) when the
/// line was unreadable.
fn raw<'s>(out: &mut Parsed, slots: &'s [Option<Raw>], key: Key) -> Result<Option<(u16, &'s [u8])>, ()> {
    match slots.get(key.slot()) {
        Some(Some(Raw { line, error: Some(RawError::Syntax(error)), .. })) => {
            out.note(*line, NoteKind::Syntax { key: Some(key), error: *error });
            Err(())
        }
        Some(Some(Raw { line, error: Some(RawError::TooLong), .. })) => {
            out.invalid(*line, key, Invalid::TooLong);
            Err(())
        }
        Some(Some(Raw { line, value, error: None })) => Ok(Some((*line, value))),
        _ => Ok(None),
    }
}

/// The keys that are not a NIC's, each validated and stored by its entry of [`APPLY`].
const GLOBAL_KEYS: [Key; 4] = [Key::Hostname, Key::Password, Key::DnsNameserver, Key::InstanceId];

/// Validates a value and stores it (in the config with its notes, or in a NIC's draft),
/// or says why not.
type Apply = fn(&mut Parsed, &mut NicDraft, u16, &[u8]) -> Result<(), Invalid>;

/// One function per key of [`GLOBAL_KEYS`], called by [`apply_keys`].
const APPLY: [Apply; 4] = [
    |out, _, line, v| {
        let (h, changes) = Hostname::parse(v)?;
        if changes.any() {
            out.note(line, NoteKind::HostnameNormalised(changes));
        }
        out.config.hostname = Some(h);
        Ok(())
    },
    |out, _, _, v| {
        out.config.password = Some(CryptHash::parse(v)?);
        Ok(())
    },
    |out, _, line, v| {
        let (d, dropped) = DnsList::parse(v)?;
        if dropped != DnsDropped::default() {
            out.note(line, NoteKind::DnsDropped(dropped));
        }
        out.config.dns = Some(d);
        Ok(())
    },
    |out, _, _, v| {
        out.config.instance_id = Some(instance_id(v)?);
        Ok(())
    },
];

/// What a NIC's keys gave (the address and the gateway with their lines).
#[derive(Default)]
struct NicDraft {
    /// N of `ethN_*`.
    nic: u8,
    addr: Option<(u16, Ipv4)>,
    mac: Option<Mac>,
    prefix: Option<Prefix>,
    gateway: Option<(u16, Ipv4)>,
}

/// One function per key of a NIC, in [`NicKey::ALL`]'s order (as [`APPLY`]).
const APPLY_NIC: [Apply; 4] = [
    |_, d, line, v| {
        d.addr = Some((line, Ipv4::parse_unicast(v)?));
        Ok(())
    },
    |_, d, _, v| {
        d.mac = Some(Mac::parse(v)?);
        Ok(())
    },
    |_, d, _, v| {
        d.prefix = Some(Prefix::parse(v)?);
        Ok(())
    },
    |out, d, line, v| {
        // `ethN_gateway=` with no value: the NIC has no gateway.
        if v.is_empty() {
            out.note(line, NoteKind::GatewayEmpty { nic: d.nic });
            return Ok(());
        }
        d.gateway = Some((line, Ipv4::parse_unicast(v)?));
        Ok(())
    },
];

/// Looks at every key of `keys` (so each bad one gets its own line) and validates its
/// value, if any, with its function of `apply`; false when one was bad. (One copy of the
/// lookup and of the refusal for every key, where a generic `valid::<T>` makes one for
/// every value type.)
fn apply_keys(out: &mut Parsed, s: &[Option<Raw>], keys: &[Key; 4], apply: &[Apply; 4], d: &mut NicDraft) -> bool {
    let mut ok = true;
    for (&key, apply) in keys.iter().zip(apply.iter()) {
        match raw(out, s, key) {
            Err(()) => ok = false,
            Ok(None) => {}
            Ok(Some((line, v))) => {
                if let Err(why) = apply(out, d, line, v) {
                    out.invalid(line, key, why);
                    ok = false;
                }
            }
        }
    }
    ok
}

/// (Out of line, like [`lex::line`]'s value reader: measured 120 bytes smaller for
/// the two.)
#[inline(never)]
fn finish(out: &mut Parsed, s: &mut [Option<Raw>]) {
    apply_keys(out, s, &GLOBAL_KEYS, &APPLY, &mut NicDraft::default());
    for n in 0..MAX_NICS as u8 {
        if NicKey::ALL.iter().all(|&k| s.get(Key::Nic(n, k).slot()).is_none_or(Option::is_none)) {
            continue;
        }
        let keys = NicKey::ALL.map(|k| Key::Nic(n, k));
        let mut d = NicDraft { nic: n, ..NicDraft::default() };
        if !apply_keys(out, s, &keys, &APPLY_NIC, &mut d) {
            continue;
        }
        let (Some((ip_line, addr)), Some(mac), Some(prefix)) = (d.addr, d.mac, d.prefix) else {
            let key = if d.addr.is_none() {
                NicKey::IpAddr
            } else if d.mac.is_none() {
                NicKey::MacAddr
            } else {
                NicKey::Netmask
            };
            out.note(0, NoteKind::NicMissing { nic: n, key });
            continue;
        };
        let gw = d.gateway;
        let gw_key = Key::Nic(n, NicKey::Gateway);
        if let Some(first) = out.config.nics.iter().find(|o| o.mac == mac) {
            let first = first.index;
            out.note(0, NoteKind::NicDuplicateMac { nic: n, first });
            continue;
        }
        // Below /31 the subnet's first and last addresses are not hosts (RFC 3021 lets /31
        // and /32 use every address).
        let host = |a: Ipv4| {
            let h = a.to_u32() & !prefix.mask();
            prefix.bits() >= 31 || (h != 0 && h != !prefix.mask())
        };
        if !host(addr) {
            out.invalid(ip_line, Key::Nic(n, NicKey::IpAddr), Invalid::NotHostAddress);
            continue;
        }
        if let Some((line, g)) = gw {
            let why = if g == addr {
                Some(Invalid::OwnAddress)
            } else if addr.same_subnet(g, prefix) && !host(g) {
                Some(Invalid::NotHostAddress)
            } else {
                None
            };
            if let Some(why) = why {
                out.invalid(line, gw_key, why);
                continue;
            }
            if !addr.same_subnet(g, prefix) {
                out.note(line, NoteKind::GatewayOffLink { nic: n });
            }
        }
        let gateway = gw.map(|(_, g)| g);
        let _ = out.config.nics.push(Nic { index: n, mac, addr, prefix, gateway });
    }
}

#[cfg(test)]
mod tests;
