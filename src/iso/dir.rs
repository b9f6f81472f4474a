//! ECMA-119 §9.1 directory records, and walking a directory's extent (§6.8.1).
//!
//! A record is a length byte followed by fixed fields (offsets in `mod field`; both-endian
//! fields: only the little-endian half is read, as Linux isofs does), then the identifier,
//! one pad byte when the identifier length is even, then the system use area (§9.1.13),
//! where SUSP/Rock Ridge entries live.
//!
//! Records never cross a sector boundary (§6.8.1.1): a zero length byte means the rest of
//! the sector is padding and the next record starts the next sector. A directory is read
//! for its data length only (bytes past it in the last sector are ignored), and one longer
//! than [`MAX_DIR_SECTORS`] sectors is refused rather than half read.
//!
//! Identifiers (§7.5, §7.6): `NAME;1` for files, with `.` between name and extension even
//! when the extension is empty (`README.;1`); `\0` and `\x01` are `.` and `..`.

use super::{IsoError, SECTOR, Sectors};
use crate::limits::MAX_DIR_SECTORS;
use crate::text::eq_ignore_case;

mod field {
    pub const LEN: usize = 0;
    pub const EXT_ATTR_LEN: usize = 1;
    pub const EXTENT: usize = 2;
    pub const DATA_LEN: usize = 10;
    pub const FLAGS: usize = 25;
    pub const FILE_UNIT_SIZE: usize = 26;
    pub const INTERLEAVE_GAP: usize = 27;
    pub const NAME_LEN: usize = 32;
    pub const NAME: usize = 33;
}

/// File flags (§9.1.6).
mod flag {
    pub const DIRECTORY: u8 = 1 << 1;
    pub const ASSOCIATED: u8 = 1 << 2;
    pub const MULTI_EXTENT: u8 = 1 << 7;
}

/// Little-endian `u32` at `at`, or 0 when out of bounds (callers check lengths first).
pub(crate) fn le32(b: &[u8], at: usize) -> u32 {
    match b.get(at..at.saturating_add(4)) {
        Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]),
        _ => 0,
    }
}

/// A run of sectors holding a file's or directory's data. Built only when its last sector
/// number fits in a `u32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extent {
    pub lba: u32,
    pub size: u32,
}

impl Extent {
    /// (Out of line: one copy for its callers; measured 48 bytes smaller.)
    #[inline(never)]
    pub fn new(lba: u32, size: u32) -> Result<Extent, IsoError> {
        let ext = Extent { lba, size };
        lba.checked_add(ext.sectors()).ok_or(IsoError::BadDirectory)?;
        Ok(ext)
    }

    pub fn sectors(&self) -> u32 {
        self.size.div_ceil(SECTOR as u32)
    }
}

/// A checked view of one directory record: exactly its length byte's worth of bytes, at
/// least the fixed part plus a one-byte identifier, and the identifier inside it.
#[derive(Clone, Copy)]
pub struct Record<'a>(&'a [u8]);

impl<'a> Record<'a> {
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, IsoError> {
        let len = *bytes.get(field::LEN).ok_or(IsoError::BadDirectory)? as usize;
        let rec = bytes.get(..len).ok_or(IsoError::BadDirectory)?;
        let name_len = *rec.get(field::NAME_LEN).ok_or(IsoError::BadDirectory)? as usize;
        if name_len == 0 || field::NAME + name_len > len {
            return Err(IsoError::BadDirectory);
        }
        Ok(Record(rec))
    }

    fn byte(&self, at: usize) -> u8 {
        self.0.get(at).copied().unwrap_or(0)
    }

    pub fn flags(&self) -> u8 {
        self.byte(field::FLAGS)
    }

    /// (Out of line: one copy for its callers; measured 56 bytes smaller.)
    #[inline(never)]
    pub fn is_dir(&self) -> bool {
        self.flags() & flag::DIRECTORY != 0
    }

    pub fn is_associated(&self) -> bool {
        self.flags() & flag::ASSOCIATED != 0
    }

    /// The file continues in the next record's extent (§9.1.6 bit 7).
    pub fn is_multi_extent(&self) -> bool {
        self.flags() & flag::MULTI_EXTENT != 0
    }

    /// Recorded in interleaved mode (§9.1.7, §9.1.8).
    pub fn is_interleaved(&self) -> bool {
        self.byte(field::FILE_UNIT_SIZE) != 0 || self.byte(field::INTERLEAVE_GAP) != 0
    }

    /// Where the data is: the extent location plus the extended attribute record's
    /// sectors (§9.1.2, §9.5), and the data length.
    pub fn extent(&self) -> Result<Extent, IsoError> {
        let lba = le32(self.0, field::EXTENT)
            .checked_add(self.byte(field::EXT_ATTR_LEN) as u32)
            .ok_or(IsoError::BadDirectory)?;
        Extent::new(lba, le32(self.0, field::DATA_LEN))
    }

    pub fn name(&self) -> &'a [u8] {
        let n = self.byte(field::NAME_LEN) as usize;
        self.0.get(field::NAME..field::NAME + n).unwrap_or(&[])
    }

    /// (Out of line: measured 24 bytes smaller.)
    #[inline(never)]
    pub fn is_dot_or_dotdot(&self) -> bool {
        matches!(self.name(), [0] | [1])
    }

    /// The system use area (§9.1.13): after the identifier and its pad byte.
    pub fn system_use(&self) -> &'a [u8] {
        let n = self.byte(field::NAME_LEN) as usize;
        let start = field::NAME + n + (n + 1) % 2;
        self.0.get(start..).unwrap_or(&[])
    }
}

/// Walks the records of one directory extent, a sector at a time.
pub struct Cursor {
    dir: Extent,
    /// Sector index within the extent.
    index: u32,
    /// Offset of the next record in the loaded sector; `None` when none is loaded.
    off: Option<usize>,
}

impl Cursor {
    pub fn new(dir: Extent) -> Result<Self, IsoError> {
        if dir.sectors() > MAX_DIR_SECTORS {
            return Err(IsoError::DirectoryTooLarge);
        }
        Ok(Cursor { dir, index: 0, off: None })
    }

    /// The next record, reading sectors into `buf` as needed; `None` after the last one.
    pub fn next<'b>(
        &mut self,
        dev: &mut dyn Sectors,
        buf: &'b mut [u8; SECTOR],
    ) -> Result<Option<Record<'b>>, IsoError> {
        loop {
            if self.index >= self.dir.sectors() {
                return Ok(None);
            }
            let off = match self.off {
                Some(off) => off,
                None => {
                    dev.read_sector(self.dir.lba.saturating_add(self.index), buf)?;
                    0
                }
            };
            // Bytes of this sector that belong to the directory.
            let done = self.index.saturating_mul(SECTOR as u32);
            let used = self.dir.size.saturating_sub(done).min(SECTOR as u32) as usize;
            let len = match buf.get(off) {
                Some(&len) if off < used && len != 0 => len as usize,
                _ => {
                    self.index += 1;
                    self.off = None;
                    continue;
                }
            };
            if off + len > used {
                return Err(IsoError::BadDirectory);
            }
            self.off = Some(off + len);
            let rec = Record::new_checked(buf.get(off..).unwrap_or(&[]))?;
            return Ok(Some(rec));
        }
    }
}

/// A plain identifier without its `;version` and a trailing `.` (`README.;1` → `README`).
pub fn plain_name(name: &[u8]) -> &[u8] {
    let name = match name.iter().rposition(|&b| b == b';') {
        Some(semi) if name.get(semi + 1..).is_some_and(|v| v.iter().all(u8::is_ascii_digit)) => {
            name.get(..semi).unwrap_or(name)
        }
        _ => name,
    };
    name.strip_suffix(b".").unwrap_or(name)
}

/// A plain ISO9660 name equals the wanted one, ASCII case, version and trailing `.`
/// ignored.
pub fn plain_eq(name: &[u8], want: &[u8]) -> bool {
    eq_ignore_case(plain_name(name), plain_name(want))
}

/// A level-1 name: `NAME.EXT` with at most 8 + 3 d-characters, a directory at most 8 and
/// no dot (§7.5.1, §7.6.1, level 1 in §10.1).
pub fn is_8_3(name: &[u8], is_dir: bool) -> bool {
    let name = plain_name(name);
    let (base, ext) = match name.iter().position(|&b| b == b'.') {
        Some(dot) if !is_dir => (name.get(..dot).unwrap_or(&[]), name.get(dot + 1..).unwrap_or(&[])),
        _ => (name, &[][..]),
    };
    let d_chars = |s: &[u8]| s.iter().all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    base.len() <= 8 && ext.len() <= 3 && d_chars(base) && d_chars(ext)
}

/// The wanted name cut the way mkisofs-style tools cut names for ISO level 1 (see the
/// module doc of [`super`]): letters upper-cased, other non-d-characters to `_`; a
/// directory to 8 characters, a file to 8 + `.` + 3 split at its last dot.
fn level1_form<'o>(want: &[u8], is_file: bool, out: &'o mut [u8; 12]) -> &'o [u8] {
    let d_char = |b: u8| {
        if b.is_ascii_alphanumeric() { b.to_ascii_uppercase() } else { b'_' }
    };
    let (base, ext) = match want.iter().rposition(|&b| b == b'.') {
        Some(dot) if is_file => (want.get(..dot).unwrap_or(&[]), want.get(dot + 1..)),
        _ => (want, None),
    };
    let mut n = 0;
    let mut put = |b: u8| {
        if let Some(o) = out.get_mut(n) {
            *o = b;
            n += 1;
        }
    };
    base.iter().take(8).for_each(|&b| put(d_char(b)));
    if let Some(ext) = ext.filter(|e| !e.is_empty()) {
        put(b'.');
        ext.iter().take(3).for_each(|&b| put(d_char(b)));
    }
    out.get(..n).unwrap_or(&[])
}

/// A level-1 record name matches the wanted name's 8.3 cut.
pub fn level1_eq(name: &[u8], want: &[u8], is_file: bool) -> bool {
    let mut buf = [0u8; 12];
    eq_ignore_case(plain_name(name), level1_form(want, is_file, &mut buf))
}
