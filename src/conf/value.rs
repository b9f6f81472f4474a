//! Validated os.conf values. Each type can only be built by its `parse`, which refuses
//! anything that could break the file it ends up in (newlines, quotes, `:` in a shadow
//! field, `$` in a hostname, …). Renderers take these types, never raw strings.

use crate::limits::{HASH_MAX, HOST_NAME_MAX, LABEL_MAX, MAX_DNS};
use crate::text::fields;
use core::net::Ipv4Addr;
use heapless::{String, Vec};
use ufmt::{Formatter, uDisplay, uWrite};

/// Why a value was refused. Printed after `key (line N): `.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    Empty,
    TooLong,
    /// A byte outside the value's alphabet (control byte, blank, quote, `$`, …).
    BadChar,
    HostnameLabel,
    NotCryptHash,
    NotIpv4,
    NotNetmask,
    NotMac,
    /// Not usable as a host address (0.0.0.0, 255.255.255.255, multicast, loopback).
    NotUnicast,
    NoDnsServer,
    /// The network or broadcast address of the NIC's subnet.
    NotHostAddress,
    /// A gateway equal to the NIC's own address.
    OwnAddress,
    /// An all-zero, multicast or broadcast MAC.
    NotUnicastMac,
    /// A hostname that is an IPv4 address.
    HostnameIsAddress,
}

impl Invalid {
    pub fn reason(self) -> &'static str {
        crate::text::nth(
            concat!(
                "empty value|",
                "value too long|",
                "contains a character not allowed here|",
                "not a hostname (labels of letters, digits and '-', 1-63 bytes, no '-' at either end)|",
                "not a crypt(3) hash (expected $id$... or a 13-character DES hash)|",
                "not an IPv4 address|",
                "not a netmask (contiguous a.b.c.d, or a prefix length 1-32)|",
                "not a MAC address (six hex pairs separated by ':' or '-')|",
                "not a usable unicast address|",
                "no valid IPv4 nameserver|",
                "the network or broadcast address of the subnet, not a host's|",
                "the NIC's own address cannot be its gateway|",
                "not a NIC's MAC address (all zeros, multicast or broadcast)|",
                "an IP address, not a hostname",
            ),
            self as usize,
        )
    }
}

/// A hostname as written to every file: `_` turned into `-`, trailing dot dropped,
/// longer than [`HOST_NAME_MAX`] cut to its first label, case kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hostname(String<HOST_NAME_MAX>);

/// What normalisation did to a hostname (for the log line).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HostnameChanges {
    pub underscores: bool,
    pub trailing_dot: bool,
    pub cut_to_first_label: bool,
}

impl HostnameChanges {
    pub fn any(self) -> bool {
        self.underscores || self.trailing_dot || self.cut_to_first_label
    }
}

impl Hostname {
    /// (Inlined into its one caller: measured 64 bytes smaller.)
    #[inline(always)]
    pub fn parse(raw: &[u8]) -> Result<(Hostname, HostnameChanges), Invalid> {
        let mut ch = HostnameChanges::default();
        if raw.is_empty() {
            return Err(Invalid::Empty);
        }
        let mut s = raw;
        if let Some(rest) = s.strip_suffix(b".") {
            s = rest;
            ch.trailing_dot = true;
        }
        if s.len() > HOST_NAME_MAX {
            let first = fields(s, b'.').next().unwrap_or(s);
            if first.len() == s.len() {
                return Err(Invalid::HostnameLabel);
            }
            s = first;
            ch.cut_to_first_label = true;
        }
        let mut out: String<HOST_NAME_MAX> = String::new();
        for &b in s {
            let c = match b {
                b'_' => {
                    ch.underscores = true;
                    '-'
                }
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' => b as char,
                _ => return Err(Invalid::BadChar),
            };
            crate::text::push(&mut out, c).map_err(|_| Invalid::TooLong)?;
        }
        for label in fields(out.as_bytes(), b'.') {
            let ok = !label.is_empty()
                && label.len() <= LABEL_MAX
                && label.first() != Some(&b'-')
                && label.last() != Some(&b'-');
            if !ok {
                return Err(Invalid::HostnameLabel);
            }
        }
        if Ipv4::parse(out.as_bytes()).is_ok() {
            return Err(Invalid::HostnameIsAddress);
        }
        Ok((Hostname(out), ch))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first label: the short name.
    pub fn short(&self) -> &str {
        let end = self.0.bytes().position(|b| b == b'.').unwrap_or(self.0.len());
        self.0.get(..end).unwrap_or(&self.0)
    }

    /// Has a dot: more than its short name. (Not `contains(&b'.')`: `core`'s byte search
    /// is a word-at-a-time loop, several times the code of this.)
    pub fn is_fqdn(&self) -> bool {
        self.short().len() < self.0.len()
    }
}

impl uDisplay for Hostname {
    fn fmt<W: uWrite + ?Sized>(&self, f: &mut Formatter<'_, W>) -> Result<(), W::Error> {
        f.write_str(&self.0)
    }
}

/// A crypt(3) hash for root's shadow field. Deliberately has no `Debug` and no
/// `uDisplay`: the only way to the bytes is [`CryptHash::expose`], used by the shadow
/// merge alone. The buffer is zeroed on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct CryptHash(String<HASH_MAX>);

impl core::fmt::Debug for CryptHash {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("CryptHash(<redacted>)")
    }
}

/// The crypt(3) salt/hash alphabet, in its order (`./0-9A-Za-z`).
const CRYPT64: &[u8; 64] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `b`'s position in [`CRYPT64`], if it is one of its characters.
fn crypt64_index(b: u8) -> Option<usize> {
    CRYPT64.iter().position(|&x| x == b)
}

/// (Inlined: measured 8 bytes smaller.)
#[inline(always)]
fn is_crypt64(b: u8) -> bool {
    crypt64_index(b).is_some()
}

impl CryptHash {
    /// Accepts the crypt(3) hash formats libxcrypt produces, each checked for its shape:
    /// traditional DES (13 characters), `$1$` (MD5), `$5$`/`$6$` (SHA-crypt, with an
    /// optional `rounds=N`), `$2a$`/`$2b$`/`$2x$`/`$2y$` (bcrypt), `$y$`/`$gy$`
    /// (yescrypt), `$7$` (scrypt), `$sha1$` and `$md5` (SunMD5). Refuses empty values, `:`,
    /// blanks, control bytes, unknown schemes, missing fields and wrong lengths — so a
    /// plaintext password (the vendor's own sample is one) or a truncated hash never
    /// reaches `/etc/shadow`, where it would lock root out.
    pub fn parse(raw: &[u8]) -> Result<CryptHash, Invalid> {
        if raw.is_empty() {
            return Err(Invalid::Empty);
        }
        if raw.len() > HASH_MAX {
            return Err(Invalid::TooLong);
        }
        if raw.iter().any(|&b| b == b':' || b <= b' ' || b >= 0x7f) {
            return Err(Invalid::BadChar);
        }
        if !crypt_shape(raw) {
            return Err(Invalid::NotCryptHash);
        }
        let mut s = String::new();
        // Checked to be ASCII and within HASH_MAX above.
        for &b in raw {
            crate::text::push(&mut s, b as char).map_err(|_| Invalid::TooLong)?;
        }
        Ok(CryptHash(s))
    }

    /// The hash itself, for the shadow merge. Never log or print this.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A 64-bit FNV-1a fingerprint, to tell whether the CD's value changed without
    /// storing the hash.
    pub fn fingerprint(&self, key: &[u8]) -> u64 {
        fnv1a(key, self.0.as_bytes())
    }
}

/// The `$id$` schemes libxcrypt knows (`|`-separated), and the length of each one's final
/// (hash) field, in the same order.
const SCHEME_IDS: &[u8] = b"1|5|6|2a|2b|2x|2y|y|gy|7|sha1|md5";
const SCHEME_HASH_LENS: [u8; 12] = [22, 43, 86, 53, 53, 53, 53, 43, 43, 43, 28, 22];

/// Whether `raw` has the shape of a crypt(3) hash (see [`CryptHash::parse`]): DES, or
/// `$id[,params]$field$…$hash` with a known id, one to three middle fields (salt, cost,
/// `rounds=N`, parameters; SunMD5's empty one) and a hash of that scheme's length.
/// (Out of line: measured 56 bytes smaller.)
#[inline(never)]
fn crypt_shape(raw: &[u8]) -> bool {
    let Some(rest) = raw.strip_prefix(b"$".as_slice()) else {
        // DES: 2 salt + 11 hash characters; the last one carries 4 bits, so it is one of
        // the 16 characters whose index in the alphabet is a multiple of 4.
        let last_ok = raw.last().and_then(|&c| crypt64_index(c)).is_some_and(|i| i % 4 == 0);
        return raw.len() == 13 && raw.iter().all(|&b| is_crypt64(b)) && last_ok;
    };
    // `$params$hash`: every field before the hash is `params` (id first), each of the
    // parameter alphabet, one to three `$` between them.
    let Some(at) = rest.iter().rposition(|&b| b == b'$') else { return false };
    let (params, hash) = (rest.get(..at).unwrap_or(&[]), rest.get(at + 1..).unwrap_or(&[]));
    let id_end = params.iter().position(|&b| b == b'$' || b == b',').unwrap_or(params.len());
    let id = params.get(..id_end).unwrap_or(&[]);
    let Some(&hash_len) = crate::text::index_of(id, SCHEME_IDS).and_then(|i| SCHEME_HASH_LENS.get(i)) else {
        return false;
    };
    let dollars = params.iter().filter(|&&b| b == b'$').count();
    (1..=3).contains(&dollars)
        && params.iter().all(|&b| b == b'$' || b == b'=' || b == b',' || is_crypt64(b))
        && hash.len() == usize::from(hash_len)
        && hash.iter().all(|&b| is_crypt64(b))
}

impl Drop for CryptHash {
    fn drop(&mut self) {
        // SAFETY-free wipe: overwrite through the safe API, then stop the compiler from
        // treating the stores as dead.
        let n = self.0.len();
        self.0.clear();
        for _ in 0..n {
            let _ = crate::text::push(&mut self.0, '\0');
        }
        self.0.clear();
        core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
    }
}

/// FNV-1a over `key` then `data`.
pub fn fnv1a(key: &[u8], data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [key, data] {
        for &b in part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// A decimal number of one to three digits without a leading zero (the form of a dotted
/// quad's octet and of a prefix length); `None` for anything else.
fn decimal(p: &[u8]) -> Option<u16> {
    let leading_zero = p.len() > 1 && p.first() == Some(&b'0');
    if p.is_empty() || p.len() > 3 || leading_zero {
        return None;
    }
    let mut n = 0;
    for &d in p {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u16::from(d - b'0');
    }
    Some(n)
}

/// An IPv4 address, parsed by `core::net` (which refuses leading zeros, so `010.1.1.1`
/// is an error, not an octal surprise).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4(pub Ipv4Addr);

impl Ipv4 {
    /// Dotted quad, four decimal octets 0-255 without leading zeros (so `010.1.1.1` is an
    /// error, not an octal surprise, as in `core::net`'s own parser).
    pub fn parse(raw: &[u8]) -> Result<Ipv4, Invalid> {
        if raw.is_empty() {
            return Err(Invalid::Empty);
        }
        let mut octets = [0u8; 4];
        let mut parts = fields(raw, b'.');
        for o in octets.iter_mut() {
            let n = parts.next().and_then(decimal).ok_or(Invalid::NotIpv4)?;
            *o = u8::try_from(n).map_err(|_| Invalid::NotIpv4)?;
        }
        if parts.next().is_some() {
            return Err(Invalid::NotIpv4);
        }
        Ok(Ipv4(Ipv4Addr::from(octets)))
    }

    /// An address usable by a host: not unspecified, broadcast, multicast or loopback.
    /// (Inlined: measured 8 bytes smaller than the call.)
    #[inline(always)]
    pub fn parse_unicast(raw: &[u8]) -> Result<Ipv4, Invalid> {
        let a = Ipv4::parse(raw)?;
        let o = a.0;
        if o.is_unspecified() || o.is_broadcast() || o.is_multicast() || o.is_loopback() {
            return Err(Invalid::NotUnicast);
        }
        Ok(a)
    }

    pub fn to_u32(self) -> u32 {
        u32::from(self.0)
    }

    /// Whether `other` is inside `self/prefix`.
    /// (Out of line: one copy for its callers; measured 56 bytes smaller.)
    #[inline(never)]
    pub fn same_subnet(self, other: Ipv4, prefix: Prefix) -> bool {
        let m = prefix.mask();
        self.to_u32() & m == other.to_u32() & m
    }
}

impl uDisplay for Ipv4 {
    fn fmt<W: uWrite + ?Sized>(&self, f: &mut Formatter<'_, W>) -> Result<(), W::Error> {
        let [a, b, c, d] = self.0.octets();
        ufmt::uwrite!(f, "{}.{}.{}.{}", a, b, c, d)
    }
}

/// A prefix length 1..=32, from a dotted netmask (`255.255.192.0`, contiguous) or a
/// length (`18`, `/18`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prefix(u8);

impl Prefix {
    pub fn new(len: u8) -> Option<Prefix> {
        (1..=32).contains(&len).then_some(Prefix(len))
    }

    pub fn parse(raw: &[u8]) -> Result<Prefix, Invalid> {
        if raw.is_empty() {
            return Err(Invalid::Empty);
        }
        let digits = raw.strip_prefix(b"/".as_slice()).unwrap_or(raw);
        let len = match decimal(digits) {
            Some(len) => len,
            None if digits.len() == raw.len() => {
                let m = Ipv4::parse(raw).map_err(|_| Invalid::NotNetmask)?.to_u32();
                // Contiguous: the ones are all at the top, the zeros all at the bottom.
                if m.leading_ones() + m.trailing_zeros() != 32 {
                    return Err(Invalid::NotNetmask);
                }
                m.leading_ones() as u16
            }
            None => return Err(Invalid::NotNetmask),
        };
        u8::try_from(len).ok().and_then(Prefix::new).ok_or(Invalid::NotNetmask)
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn mask(self) -> u32 {
        // The top `bits` ones (a u64 shift: 32 is not a valid shift of a u32).
        (u64::MAX << (32 - u32::from(self.0))) as u32
    }

    pub fn netmask(self) -> Ipv4 {
        Ipv4(Ipv4Addr::from(self.mask()))
    }
}

impl uDisplay for Prefix {
    fn fmt<W: uWrite + ?Sized>(&self, f: &mut Formatter<'_, W>) -> Result<(), W::Error> {
        uDisplay::fmt(&self.0, f)
    }
}

/// An Ethernet MAC address; printed lowercase with `:`, as the kernel shows it in
/// `/sys/class/net/*/address`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mac(pub [u8; 6]);

impl Mac {
    pub fn parse(raw: &[u8]) -> Result<Mac, Invalid> {
        if raw.is_empty() {
            return Err(Invalid::Empty);
        }
        if raw.len() != 17 {
            return Err(Invalid::NotMac);
        }
        let sep = raw.get(2).copied().ok_or(Invalid::NotMac)?;
        if sep != b':' && sep != b'-' {
            return Err(Invalid::NotMac);
        }
        // Seventeen bytes: two hex digits, then the separator, six times (none at the end).
        let mut mac = [0u8; 6];
        for (i, &b) in raw.iter().enumerate() {
            if i % 3 == 2 {
                if b != sep {
                    return Err(Invalid::NotMac);
                }
                continue;
            }
            let m = mac.get_mut(i / 3).ok_or(Invalid::NotMac)?;
            *m = *m << 4 | hex(b)?;
        }
        if mac == [0; 6] || mac[0] & 1 == 1 {
            // all-zero, or a multicast/broadcast address: no NIC has it.
            return Err(Invalid::NotUnicastMac);
        }
        Ok(Mac(mac))
    }

    /// The lowercase hex digits without separators (`525400e196eb`), for file names.
    pub fn write_compact<W: uWrite + ?Sized>(&self, w: &mut W) -> Result<(), W::Error> {
        self.write_hex(w, "")
    }

    /// The lowercase hex digits, `sep` between bytes (`:` as in the `uDisplay` form).
    /// (Inlined: a wrapper of [`write_hex`]; measured 16 bytes smaller.)
    #[inline(always)]
    pub fn write_hex<W: uWrite + ?Sized>(&self, w: &mut W, sep: &str) -> Result<(), W::Error> {
        write_hex(w, &self.0, sep)
    }
}

/// `bytes` as lowercase hex digits, `sep` between bytes. (One copy for MACs, the
/// NetworkManager UUID and the state file's fingerprints.)
pub fn write_hex<W: uWrite + ?Sized>(w: &mut W, bytes: &[u8], sep: &str) -> Result<(), W::Error> {
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            w.write_str(sep)?;
        }
        w.write_str(hex_digit(b >> 4))?;
        w.write_str(hex_digit(b & 0xf))?;
    }
    Ok(())
}

fn hex(b: u8) -> Result<u8, Invalid> {
    char::from(b).to_digit(16).map(|d| d as u8).ok_or(Invalid::NotMac)
}

/// One lowercase hex digit, as a `&str` (written with `write_str`: `write_char` would
/// encode it as UTF-8 first).
fn hex_digit(n: u8) -> &'static str {
    let i = usize::from(n & 0xf);
    "0123456789abcdef".get(i..=i).unwrap_or("0")
}

impl uDisplay for Mac {
    fn fmt<W: uWrite + ?Sized>(&self, f: &mut Formatter<'_, W>) -> Result<(), W::Error> {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            f.write_str(hex_digit(b >> 4))?;
            f.write_str(hex_digit(b & 0xf))?;
        }
        Ok(())
    }
}

/// Nameservers from `dns_nameserver`: whitespace-separated IPv4 addresses, duplicates
/// dropped, order kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DnsList(Vec<Ipv4, MAX_DNS>);

/// What [`DnsList::parse`] dropped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DnsDropped {
    /// Tokens that are not IPv4 addresses (the first one is kept for the message).
    pub bad: u8,
    pub first_bad_index: u8,
    pub duplicates: u8,
    /// Servers beyond [`MAX_DNS`].
    pub over_limit: u8,
}

impl DnsList {
    pub fn parse(raw: &[u8]) -> Result<(DnsList, DnsDropped), Invalid> {
        let mut list = DnsList::default();
        let mut dropped = DnsDropped::default();
        // Tokens between runs of separators (blanks, `,`), numbered from 0.
        let is_sep = |b: &u8| b.is_ascii_whitespace() || *b == b',';
        let mut rest = raw;
        let mut i = 0;
        while let Some(start) = rest.iter().position(|b| !is_sep(b)) {
            let from = rest.get(start..).unwrap_or(&[]);
            let end = from.iter().position(is_sep).unwrap_or(from.len());
            let tok = from.get(..end).unwrap_or(&[]);
            rest = from.get(end..).unwrap_or(&[]);
            match Ipv4::parse_unicast(tok) {
                Ok(a) if list.0.contains(&a) => dropped.duplicates += 1,
                Ok(a) => {
                    if list.0.push(a).is_err() {
                        dropped.over_limit += 1;
                    }
                }
                Err(_) => {
                    if dropped.bad == 0 {
                        dropped.first_bad_index = i.min(255) as u8;
                    }
                    dropped.bad = dropped.bad.saturating_add(1);
                }
            }
            i += 1;
        }
        if list.0.is_empty() {
            return Err(if dropped.bad == 0 { Invalid::Empty } else { Invalid::NoDnsServer });
        }
        Ok((list, dropped))
    }

    pub fn servers(&self) -> &[Ipv4] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Ipv4 {
        Ipv4::parse(s.as_bytes()).unwrap()
    }

    fn show<T: uDisplay>(v: &T) -> std::string::String {
        let mut s: String<64> = String::new();
        ufmt::uwrite!(s, "{}", v).unwrap();
        s.as_str().into()
    }

    #[test]
    fn hostname_rules() {
        let cases: &[(&str, Result<&str, Invalid>)] = &[
            ("VM_10_20_xxxx", Ok("VM-10-20-xxxx")),
            ("web01", Ok("web01")),
            ("Web01.Example.COM.", Ok("Web01.Example.COM")),
            ("a.b_c.d", Ok("a.b-c.d")),
            ("", Err(Invalid::Empty)),
            (".", Err(Invalid::HostnameLabel)),
            ("host name", Err(Invalid::BadChar)),
            ("host$(reboot)", Err(Invalid::BadChar)),
            ("bad\"quote", Err(Invalid::BadChar)),
            ("-lead", Err(Invalid::HostnameLabel)),
            ("trail-", Err(Invalid::HostnameLabel)),
            ("_lead", Err(Invalid::HostnameLabel)),
            ("a..b", Err(Invalid::HostnameLabel)),
            ("h\u{e9}te", Err(Invalid::BadChar)),
            ("10.0.0.7", Err(Invalid::HostnameIsAddress)),
            ("10.0.0.7.", Err(Invalid::HostnameIsAddress)),
            ("10.0.0.7x", Ok("10.0.0.7x")),
        ];
        for (raw, want) in cases {
            let got = Hostname::parse(raw.as_bytes()).map(|(h, _)| std::string::String::from(h.as_str()));
            assert_eq!(got, want.map(std::string::String::from), "case {raw:?}");
        }
    }

    #[test]
    fn hostname_too_long_keeps_first_label_and_says_so() {
        let long = "vm-1.".to_string() + &"x".repeat(70) + ".example.com";
        let (h, ch) = Hostname::parse(long.as_bytes()).unwrap();
        assert_eq!(h.as_str(), "vm-1");
        assert!(ch.cut_to_first_label && !ch.underscores);
        let one_label = "y".repeat(65);
        assert_eq!(Hostname::parse(one_label.as_bytes()), Err(Invalid::HostnameLabel));
        let exactly = ["a".repeat(62), "b".to_string()].join(".");
        assert_eq!(Hostname::parse(exactly.as_bytes()).unwrap().0.as_str(), exactly);
        let label64 = "z".repeat(64);
        assert_eq!(Hostname::parse(label64.as_bytes()), Err(Invalid::HostnameLabel));
    }

    #[test]
    fn hostname_parts() {
        let (h, ch) = Hostname::parse(b"VM_1.corp.example.").unwrap();
        assert_eq!((h.short(), h.is_fqdn()), ("VM-1", true));
        assert!(ch.underscores && ch.trailing_dot && !ch.cut_to_first_label);
        let (h, ch) = Hostname::parse(b"plain").unwrap();
        assert_eq!((h.short(), h.is_fqdn(), ch.any()), ("plain", false, false));
    }

    #[test]
    fn crypt_hash_rules() {
        // Made by libxcrypt (Python's crypt, Perl's crypt) for "osconf-test".
        let ok = [
            "m3OGdrDCtGVPY",
            "$1$Sc30m2wp$UVxhKuygKIfyNORlBqd/30",
            "$5$9RjZ7wo9Ww.17H6F$B8hOT3d6LRFPRqAKrHIYhgLv0DqN6NADY63iIm5qvj8",
            "$5$rounds=10000$saltsaltsalt$AJjBvdmZko8JAXa0rU4iL4baTsgxlyns4TgyDcDxiZ/",
            "$6$lo.f8h5BxCWUADBl$vTP/0UIIsFdCMy2dUYkCM/ePWfzt8j08KJbuV9jcXIrzFnqRjBqUZPL//ejIbXUa3EcMRYTZw2gy0f/XvhuQ1.",
            "$6$rounds=5000$usesomesillystri$e74JoeIGVLawgX/zXBUlf0msAfMiZTP9fT40tyyrE6tZL9dghrHqPAs2UWcFBitOot0e/T6QndGaAkehCxaGN/",
            "$2b$12$muXkx/7O2bLBlDfjbos7WuAOayBIsiIwlnnzzPBYfWMum6EDSVyqC",
            "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$tMrRxM4z1pZghwtLpuxX8vxdUtTD0.WQXCnaAi2wxpC",
            "$md5,rounds=5000$GUBv0xjJ$$mSwgIswdjlTY0YxV7HBVm0",
        ];
        for h in ok {
            assert!(CryptHash::parse(h.as_bytes()).is_ok(), "case {h:?}");
        }
        let bad: &[(&str, Invalid)] = &[
            ("", Invalid::Empty),
            ("GRSgae1fw9frsG.rfrF", Invalid::NotCryptHash),
            ("Passw0rd12345", Invalid::NotCryptHash),
            ("$ecret$pass", Invalid::NotCryptHash),
            ("$zz$abc$def", Invalid::NotCryptHash),
            ("$6$salt", Invalid::NotCryptHash),
            ("$6$salt$", Invalid::NotCryptHash),
            ("$6$salt$tooshort", Invalid::NotCryptHash),
            ("$1$Sc30m2wp$UVxhKuygKIfyNORlBqd/3", Invalid::NotCryptHash),
            ("$2b$12$muXkx/7O2bLBlDfjbos7WuAOayBIsiIwlnnzzPBYfWMum6EDSVyq", Invalid::NotCryptHash),
            (
                "$6$a$b$c$d$e74JoeIGVLawgX/zXBUlf0msAfMiZTP9fT40tyyrE6tZL9dghrHqPAs2UWcFBitOot0e/T6QndGaAkehCxaGN/",
                Invalid::NotCryptHash,
            ),
            ("$6$salt$ha:sh", Invalid::BadChar),
            ("$6$salt$ha sh", Invalid::BadChar),
            ("$6$salt$hash\n", Invalid::BadChar),
            ("!$6$salt$hash", Invalid::NotCryptHash),
            ("*", Invalid::NotCryptHash),
            ("!!", Invalid::NotCryptHash),
            ("$$x", Invalid::NotCryptHash),
            ("$6$sa'lt$hash", Invalid::NotCryptHash),
            ("abJnggxhB/yW!", Invalid::NotCryptHash),
        ];
        for (h, want) in bad {
            assert_eq!(CryptHash::parse(h.as_bytes()).err(), Some(*want), "case {h:?}");
        }
        let long = "$6$".to_string() + &"a".repeat(300);
        assert_eq!(CryptHash::parse(long.as_bytes()).err(), Some(Invalid::TooLong));
    }

    #[test]
    fn crypt_hash_debug_is_redacted() {
        let h = CryptHash::parse(b"m3OGdrDCtGVPY").unwrap();
        assert_eq!(std::format!("{h:?}"), "CryptHash(<redacted>)");
        assert_ne!(h.fingerprint(b"k1"), h.fingerprint(b"k2"));
    }

    #[test]
    fn ipv4_rules() {
        assert_eq!(show(&ip("10.104.62.201")), "10.104.62.201");
        assert_eq!(show(&ip("0.0.0.0")), "0.0.0.0");
        assert_eq!(show(&ip("255.255.255.255")), "255.255.255.255");
        for bad in [
            "",
            "10.1.1",
            "10.1.1.256",
            "010.1.1.1",
            "10.1.1.1 ",
            "a.b.c.d",
            "1.2.3.4.5",
            "1..2.3",
            "+1.2.3.4",
            "1.2.3.-4",
            "1.2.3.4.",
            "1.2.3.1000",
            ".1.2.3",
        ] {
            assert!(Ipv4::parse(bad.as_bytes()).is_err(), "case {bad:?}");
        }
        for bad in ["0.0.0.0", "255.255.255.255", "224.0.0.1", "127.0.0.1"] {
            assert_eq!(Ipv4::parse_unicast(bad.as_bytes()), Err(Invalid::NotUnicast), "case {bad:?}");
        }
    }

    #[test]
    fn netmask_rules() {
        let cases: &[(&str, Result<u8, Invalid>)] = &[
            ("255.255.192.0", Ok(18)),
            ("255.255.255.255", Ok(32)),
            ("128.0.0.0", Ok(1)),
            ("18", Ok(18)),
            ("/18", Ok(18)),
            ("32", Ok(32)),
            ("0", Err(Invalid::NotNetmask)),
            ("33", Err(Invalid::NotNetmask)),
            ("08", Err(Invalid::NotNetmask)),
            ("0.0.0.0", Err(Invalid::NotNetmask)),
            ("255.0.255.0", Err(Invalid::NotNetmask)),
            ("255.255.255.1", Err(Invalid::NotNetmask)),
            ("/255.255.0.0", Err(Invalid::NotNetmask)),
            ("", Err(Invalid::Empty)),
        ];
        for (raw, want) in cases {
            assert_eq!(Prefix::parse(raw.as_bytes()).map(Prefix::bits), *want, "case {raw:?}");
        }
        assert_eq!(show(&Prefix::new(18).unwrap().netmask()), "255.255.192.0");
        assert!(ip("10.104.62.201").same_subnet(ip("10.104.0.1"), Prefix::new(18).unwrap()));
        assert!(!ip("10.104.62.201").same_subnet(ip("10.105.0.1"), Prefix::new(18).unwrap()));
    }

    #[test]
    fn mac_rules() {
        for raw in ["52:54:00:E1:96:EB", "52-54-00-e1-96-eb", "52:54:00:e1:96:eb"] {
            assert_eq!(show(&Mac::parse(raw.as_bytes()).unwrap()), "52:54:00:e1:96:eb", "case {raw:?}");
        }
        for bad in [
            "",
            "52:54:00:e1:96",
            "52:54:00-e1:96:eb",
            "52:54:00:e1:96:eg",
            "5254.00e1.96eb",
            "00:00:00:00:00:00",
            "ff:ff:ff:ff:ff:ff",
            "52:54:00:e1:96:eb:",
        ] {
            assert!(Mac::parse(bad.as_bytes()).is_err(), "case {bad:?}");
        }
        for multicast in ["00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:01"] {
            assert_eq!(Mac::parse(multicast.as_bytes()), Err(Invalid::NotUnicastMac), "case {multicast:?}");
        }
        let mut s: String<16> = String::new();
        Mac::parse(b"52:54:00:E1:96:EB").unwrap().write_compact(&mut s).unwrap();
        assert_eq!(s.as_str(), "525400e196eb");
    }

    #[test]
    fn dns_rules() {
        let (l, d) = DnsList::parse(b"10.138.224.65 10.182.20.26\t10.182.24.12 10.138.224.65 bogus").unwrap();
        assert_eq!(l.servers(), [ip("10.138.224.65"), ip("10.182.20.26"), ip("10.182.24.12")]);
        assert_eq!((d.bad, d.first_bad_index, d.duplicates), (1, 4, 1));
        assert_eq!(DnsList::parse(b"  "), Err(Invalid::Empty));
        assert_eq!(DnsList::parse(b"x y"), Err(Invalid::NoDnsServer));
        let many = (1..=10).map(|i| std::format!("10.0.0.{i}")).collect::<std::vec::Vec<_>>().join(" ");
        let (l, d) = DnsList::parse(many.as_bytes()).unwrap();
        assert_eq!((l.servers().len(), d.over_limit), (8, 2));
    }
}
