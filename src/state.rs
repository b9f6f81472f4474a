//! `/etc/osconf.state`: what the config CD said when osconf last applied the hostname and
//! root's password, as keyed fingerprints (never the values).
//!
//! The CD is attached at every boot and carries the values given when the instance was
//! created or the password was last reset in the console. Applied at every boot, they
//! would undo a user's own `passwd` or `hostnamectl` each time; so each is applied only
//! when the CD's value differs from the one recorded here, when the CD names another
//! instance (`instance_id`), when there is no state, or when forced (`osconf.force`,
//! `--force`). The network is re-applied at every boot.
//!
//! The hostname's value includes the address `/etc/hosts` maps it to (its fingerprint
//! XOR the address): a new address writes the hostname's files again.
//!
//! A fingerprint is 64-bit FNV-1a over a random per-root key followed by the value. The
//! password's value is already a salted crypt(3) hash; its fingerprint tells no more than
//! `/etc/shadow` does (checking a guess still needs crypt and the salt), and the file is
//! root's only (0600).
//!
//! ```text
//! # osconf: keyed fingerprints of … (comment lines)
//! key=0123456789abcdef
//! instance_id=…   hostname=…   password=…   (16 lowercase hex digits each, any order)
//! ```
//! Lines that are not `name=<16 hex digits>` are ignored; a damaged file counts as absent
//! for the values it lost (they are applied again).

use crate::conf::value::{fnv1a, write_hex};
use crate::text::{Full, Out, fields, index_of, nth};

/// The state file, relative to the root.
pub const PATH: &str = "etc/osconf.state";

const NAMES: &str = "key|instance_id|hostname|password";
const HEX: &[u8] = b"0123456789abcdef";

/// The recorded fingerprints (`None`: not recorded).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct State {
    pub key: Option<u64>,
    pub instance_id: Option<u64>,
    pub hostname: Option<u64>,
    pub password: Option<u64>,
}

impl State {
    pub fn parse(file: &[u8]) -> State {
        // In `NAMES` order.
        let mut values = [None; 4];
        for line in fields(file, b'\n') {
            // `name=value`; a second `=` is in `value`, which then is not hex.
            let mut kv = fields(line, b'=');
            let (Some(name), Some(value)) = (kv.next(), kv.remainder()) else { continue };
            let Some(v) = hex16(value) else { continue };
            if let Some(slot) = index_of(name, NAMES.as_bytes()).and_then(|i| values.get_mut(i)) {
                *slot = Some(v);
            }
        }
        let [key, instance_id, hostname, password] = values;
        State { key, instance_id, hostname, password }
    }

    /// The fingerprint of `value` under this state's key (`key` must be set).
    pub fn fingerprint(&self, value: &[u8]) -> u64 {
        fnv1a(&self.key.unwrap_or(0).to_le_bytes(), value)
    }

    /// Writes the file: the comment, then every recorded fingerprint.
    pub fn render(&self, out: &mut Out<'_>) -> Result<(), Full> {
        out.put(COMMENT.as_bytes())?;
        let values = [self.key, self.instance_id, self.hostname, self.password];
        for (i, v) in values.iter().enumerate() {
            if let &Some(v) = v {
                out.put(nth(NAMES, i).as_bytes())?;
                out.put(b"=")?;
                write_hex(out, &v.to_be_bytes(), "")?;
                out.put(b"\n")?;
            }
        }
        Ok(())
    }
}

const COMMENT: &str = "# osconf: fingerprints of the config CD's hostname and root password as last applied, never the values; remove this file or boot with osconf.force to apply them again\n";

/// 16 lowercase hex digits.
fn hex16(v: &[u8]) -> Option<u64> {
    if v.len() != 16 {
        return None;
    }
    v.iter().try_fold(0u64, |acc, b| Some(acc << 4 | HEX.iter().position(|h| h == b)? as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damaged_lines() {
        let s =
            State { key: Some(0x0123_4567_89ab_cdef), instance_id: None, hostname: Some(7), password: Some(u64::MAX) };
        let mut b = [0u8; 512];
        let mut out = Out::new(&mut b);
        s.render(&mut out).unwrap();
        let text = core::str::from_utf8(out.as_bytes()).unwrap();
        assert!(text.starts_with("# osconf: "), "{text}");
        assert!(
            text.ends_with("key=0123456789abcdef\nhostname=0000000000000007\npassword=ffffffffffffffff\n"),
            "{text}"
        );
        assert_eq!(State::parse(out.as_bytes()), s);
        // Damaged or foreign lines are ignored, each value on its own.
        let damaged = b"key=0123456789abcdef\nhostname=000000000000007\npassword=FFFFFFFFFFFFFFFF\ninstance_id=00000000000000aa=\nx=0000000000000001\n\0";
        assert_eq!(State::parse(damaged), State { key: Some(0x0123_4567_89ab_cdef), ..State::default() });
        assert_eq!(State::parse(b""), State::default());
    }

    #[test]
    fn fingerprints_depend_on_key_and_value() {
        let a = State { key: Some(1), ..State::default() };
        let b = State { key: Some(2), ..State::default() };
        assert_ne!(a.fingerprint(b"web-1"), b.fingerprint(b"web-1"));
        assert_ne!(a.fingerprint(b"web-1"), a.fingerprint(b"web-2"));
        assert_eq!(a.fingerprint(b"web-1"), a.fingerprint(b"web-1"));
    }
}
