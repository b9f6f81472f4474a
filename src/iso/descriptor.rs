//! ECMA-119 §8 volume descriptors: one per logical sector from sector 16 on, ended by the
//! terminator (type 255, §8.3).
//!
//! - §8.4 primary volume descriptor (type 1): volume identifier (bytes 40–71), logical
//!   block size (bytes 128–131, both-endian), root directory record (bytes 156–189).
//! - §8.5 supplementary volume descriptor (type 2): same layout; Joliet marks it with the
//!   escape sequence `%/@`, `%/C` or `%/E` (UCS-2 levels 1–3) at byte 88.
//!
//! Both-endian fields: only the little-endian half is read, as Linux isofs does. The view
//! is over a whole sector, so every fixed offset below is in bounds by its type.

use super::dir::{Extent, Record};
use super::{IsoError, SECTOR};

mod field {
    use core::ops::Range;
    pub const TYPE: usize = 0;
    pub const ID: Range<usize> = 1..6;
    pub const VOLUME_ID: Range<usize> = 40..72;
    /// Little-endian half of the both-endian logical block size.
    pub const BLOCK_SIZE: usize = 128;
    pub const ESCAPES: Range<usize> = 88..91;
    pub const ROOT: Range<usize> = 156..190;
}

/// The standard identifier of every volume descriptor (§8.1.2).
const STANDARD_ID: &[u8; 5] = b"CD001";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Primary,
    Supplementary,
    Terminator,
    Other,
}

/// A checked view of one volume descriptor sector.
pub struct Descriptor<'a> {
    buf: &'a [u8; SECTOR],
}

impl<'a> Descriptor<'a> {
    /// Accepts a sector that carries the standard identifier `CD001`.
    pub fn new_checked(buf: &'a [u8; SECTOR]) -> Result<Self, IsoError> {
        if buf[field::ID] != *STANDARD_ID {
            return Err(IsoError::BadDescriptor);
        }
        Ok(Descriptor { buf })
    }

    pub fn kind(&self) -> Kind {
        match self.buf[field::TYPE] {
            1 => Kind::Primary,
            2 => Kind::Supplementary,
            255 => Kind::Terminator,
            _ => Kind::Other,
        }
    }

    /// The 32 raw bytes of the volume identifier (d-characters, or UCS-2BE for Joliet).
    pub fn volume_id(&self) -> &'a [u8] {
        &self.buf[field::VOLUME_ID]
    }

    /// Carries a Joliet escape sequence: `%/@`, `%/C` or `%/E` (UCS-2 levels 1, 2 and 3).
    pub fn is_joliet(&self) -> bool {
        matches!(self.buf[field::ESCAPES], [b'%', b'/', b'@' | b'C' | b'E'])
    }

    /// The root directory's extent. The logical block size must be 2048 (all this reader
    /// handles) and the root record a well-formed directory record.
    pub fn root(&self) -> Result<Extent, IsoError> {
        let at = field::BLOCK_SIZE;
        if u16::from_le_bytes([self.buf[at], self.buf[at + 1]]) as usize != SECTOR {
            return Err(IsoError::BadDescriptor);
        }
        let rec = Record::new_checked(&self.buf[field::ROOT]).map_err(|_| IsoError::BadDescriptor)?;
        if !rec.is_dir() {
            return Err(IsoError::BadDescriptor);
        }
        rec.extent().map_err(|_| IsoError::BadDescriptor)
    }
}

/// An identifier with trailing spaces (and NUL padding some tools write) removed.
pub fn trim_label(id: &[u8]) -> &[u8] {
    let end = id.iter().rposition(|&b| b != b' ' && b != 0).map_or(0, |e| e + 1);
    id.get(..end).unwrap_or(&[])
}
