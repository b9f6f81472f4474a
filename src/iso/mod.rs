//! Reads one file straight off an ISO9660 image, for kernels without an isofs driver or
//! when the user names an image file.
//!
//! The device is anything that can read a 2048-byte logical sector ([`Sectors`]): the
//! binary implements it over a file descriptor, the tests over a `Vec<u8>`.
//!
//! ## Contract
//! Every byte of the image is untrusted. The reader never panics, never loops forever and
//! never returns bytes that are not the named file's: every length, extent, offset and
//! continuation pointer is bounded before use (by the sector, the record, the directory's
//! data length, and the limits `MAX_DIR_SECTORS`, `MAX_CE_HOPS` and
//! `MAX_VOLUME_DESCRIPTORS` in [`crate::limits`]), and a layout it does not handle
//! (multi-extent or interleaved files) is an error, not a partial read. Reading past the
//! end of a truncated image is the device's [`IoError`]. Directory loops cannot trap it:
//! only a fixed path is walked, one directory per component.
//!
//! ## Specifications
//! - ECMA-119 (ISO 9660) §8.4 primary volume descriptor, §8.5 supplementary volume
//!   descriptor, §9.1 directory record, §7.5–7.6 file and directory identifiers
//!   ([`descriptor`], [`dir`]). Both-endian fields: only the little-endian half is read.
//! - Joliet (Microsoft, 1995): an SVD whose escape sequences (byte 88) are `%/@`, `%/C` or
//!   `%/E`; names in UCS-2 big-endian ([`joliet`]).
//! - IEEE P1281 SUSP 1.12 (`SP`, `CE`, `ST` entries) and IEEE P1282 Rock Ridge 1.12 (`NM`
//!   alternate names with the CONTINUE flag, possibly split over `CE` continuation
//!   areas) ([`susp`]).
//!
//! ## Name lookup
//! [`find`] tries, in order, and takes the first scheme that finds the whole path:
//! 1. Rock Ridge names in the primary tree, when the root's `.` record has an `SP` entry;
//!    compared byte for byte (POSIX names are case-sensitive).
//! 2. Joliet names in the SVD tree, ASCII case ignored, `;1` version stripped.
//! 3. Plain ISO9660 names in the primary tree: ASCII case ignored, the `;1` version and a
//!    trailing `.` (as in `README.;1`) ignored.
//! 4. The level-1 8.3 fallback, only on an image with neither Rock Ridge nor Joliet.
//!    `xorriso -as mkisofs -iso-level 1 --norock` (xorriso 1.5.4) stores
//!    `qcloud_action/os.conf` as `QCLOUD_A/OS.CON;1` and `os_action` as `OS_ACTIO`:
//!    directory names are cut to 8 characters, file names to an 8-character base and a
//!    3-character extension, and every byte that is not a letter, digit or `_` becomes `_`
//!    (so does a dot other than a file name's last one: `a.b.c` is `A_B.C;1`). So when no
//!    plain name matches a component, a record matches if its name (version and trailing
//!    `.` removed, ASCII case ignored) equals the wanted name put through that same cut:
//!    for a directory its first 8 mapped characters, for a file the first 8 mapped
//!    characters before its last dot, then `.` and the first 3 mapped characters after it.
//!    An exact plain match in the same directory always wins. The result says
//!    [`NameKind::Level1Fallback`]. When even this fails, and every name seen in the
//!    directories searched along the path (at least one) is an 8.3 name, the error is
//!    [`IsoError::NotFoundLevel1`], never a bare `NotFound`, so the log says why. Names
//!    the image maker had to disambiguate (two long names with the same 8.3 cut) are not
//!    guessed at.
//!
//! A match of the wrong kind (a directory where the file was wanted or the reverse) does
//! not stop the scan; if nothing of the right kind has the name, the error says which.
//! Associated-file records (flag bit 2) are skipped. Rock Ridge relocation (`RE`/`CL`) is
//! not followed: it only happens below directory depth 8, and our paths have depth 2.
//! Once a scheme meets a damaged structure (bad record, bad continuation area, read error)
//! the lookup stops with that error instead of trying the next scheme: a damaged image is
//! reported, not guessed at.

pub mod descriptor;
pub mod dir;
pub mod joliet;
pub mod susp;

#[cfg(test)]
mod tests;

use crate::limits::NAME_MAX;
pub use crate::limits::SECTOR;
use dir::{Cursor, Extent, Record};

/// Reads one 2048-byte logical sector. Implemented by the binary over a file descriptor,
/// and by tests over a `Vec<u8>`. Reading past the end of the medium is an [`IoError`].
pub trait Sectors {
    fn read_sector(&mut self, lba: u32, buf: &mut [u8; SECTOR]) -> Result<(), IoError>;
}

/// The device could not read a sector (I/O error, or past the end of a truncated image).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoError;

/// Why an image could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IsoError {
    Io,
    NotIso,
    BadDescriptor,
    BadDirectory,
    DirectoryTooLarge,
    BadRockRidge,
    NotFound,
    /// Only 8.3 names on the image, and not even the 8.3 truncation matched.
    NotFoundLevel1,
    NotAFile,
    NotADirectory,
    MultiExtent,
    Interleaved,
    TooLarge,
}

impl IsoError {
    /// One short phrase for the log line.
    pub fn reason(self) -> &'static str {
        crate::text::nth(
            concat!(
                "read error on the CD or image (truncated?)|",
                "no ISO9660 volume descriptor at sector 16|",
                "malformed ISO9660 volume descriptor|",
                "malformed ISO9660 directory record|",
                "ISO9660 directory too large to scan|",
                "malformed Rock Ridge continuation area|",
                "file not found on the ISO image|",
                "file not found on the ISO image (only 8.3 names, none matched)|",
                "a directory is where the file should be|",
                "a file is where a directory should be|",
                "multi-extent file on the ISO image (not supported)|",
                "interleaved file on the ISO image (not supported)|",
                "file on the ISO image is too large",
            ),
            self as usize,
        )
    }

    /// Rank among the "not there" outcomes, used to keep the most telling one.
    fn miss_rank(self) -> Option<u8> {
        match self {
            IsoError::NotFound => Some(0),
            IsoError::NotFoundLevel1 => Some(1),
            IsoError::NotAFile | IsoError::NotADirectory => Some(2),
            _ => None,
        }
    }
}

impl From<IoError> for IsoError {
    fn from(_: IoError) -> Self {
        IsoError::Io
    }
}

/// How the name was matched (for the log line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    RockRidge,
    Joliet,
    Plain,
    Level1Fallback,
}

impl NameKind {
    pub fn as_str(self) -> &'static str {
        crate::text::nth(
            concat!("Rock Ridge name|", "Joliet name|", "ISO9660 name|", "ISO9660 level-1 8.3 name",),
            self as usize,
        )
    }
}

/// A file found by [`find`]: where its data is and how its name matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileRef {
    pub lba: u32,
    pub size: u32,
    pub how: NameKind,
}

/// Label storage: the PVD volume identifier is 32 d-characters (ECMA-119 §8.4.10).
const LABEL_MAX: usize = 32;
/// The Joliet volume identifier is the same 32 bytes as 16 UCS-2 characters.
const JOLIET_LABEL_MAX: usize = 16;

/// Volume facts from the volume descriptors (ECMA-119 §8.3: LBA 16 onward until the
/// terminator, at most `limits::MAX_VOLUME_DESCRIPTORS` of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Volume {
    root: Extent,
    joliet: Option<Extent>,
    /// SUSP `LEN_SKP` from the `SP` entry, when Rock Ridge is in use.
    rr_skip: Option<u8>,
    /// The PVD volume identifier as recorded (trimmed when asked for).
    label: [u8; LABEL_MAX],
    /// The Joliet volume identifier decoded to ASCII; all zeros when it is not ASCII.
    joliet_label: [u8; JOLIET_LABEL_MAX],
}

impl Volume {
    /// Reads the volume descriptors and the root's `.` record.
    /// [`IsoError::NotIso`] when sector 16 is not `"\x01CD001"`.
    pub fn probe<S: Sectors>(dev: &mut S) -> Result<Volume, IsoError> {
        probe(dev)
    }

    /// The PVD volume identifier, trailing spaces trimmed.
    pub fn label(&self) -> &[u8] {
        descriptor::trim_label(&self.label)
    }

    /// The Joliet volume identifier when it is ASCII, trailing spaces trimmed; else empty.
    pub fn joliet_label(&self) -> &[u8] {
        descriptor::trim_label(&self.joliet_label)
    }

    pub fn has_rock_ridge(&self) -> bool {
        self.rr_skip.is_some()
    }

    pub fn has_joliet(&self) -> bool {
        self.joliet.is_some()
    }

    /// The label (PVD or Joliet) is `config-2`, ASCII case ignored.
    pub fn is_config_drive(&self) -> bool {
        const WANT: &[u8] = b"config-2";
        crate::text::eq_ignore_case(self.label(), WANT) || crate::text::eq_ignore_case(self.joliet_label(), WANT)
    }
}

fn probe(dev: &mut dyn Sectors) -> Result<Volume, IsoError> {
    use descriptor::{Descriptor, Kind};
    let mut buf = [0u8; SECTOR];
    dev.read_sector(16, &mut buf)?;
    let pvd = Descriptor::new_checked(&buf).map_err(|_| IsoError::NotIso)?;
    if pvd.kind() != Kind::Primary {
        return Err(IsoError::NotIso);
    }
    let mut vol = Volume {
        root: pvd.root()?,
        joliet: None,
        rr_skip: None,
        label: [0; LABEL_MAX],
        joliet_label: [0; JOLIET_LABEL_MAX],
    };
    vol.label.copy_from_slice(pvd.volume_id());

    let end = 16 + crate::limits::MAX_VOLUME_DESCRIPTORS;
    for lba in 17..end {
        dev.read_sector(lba, &mut buf)?;
        // A sequence without its terminator ends at the first sector that is not one.
        let Ok(d) = Descriptor::new_checked(&buf) else {
            break;
        };
        match d.kind() {
            Kind::Terminator => break,
            Kind::Supplementary if vol.joliet.is_none() && d.is_joliet() => {
                vol.joliet = Some(d.root()?);
                if joliet::decode_ascii(d.volume_id(), &mut vol.joliet_label) == 0 {
                    vol.joliet_label = [0; JOLIET_LABEL_MAX];
                }
            }
            _ => {}
        }
    }

    // Rock Ridge: the SUSP "SP" entry opens the system use area of the root's "." record.
    dev.read_sector(vol.root.lba, &mut buf)?;
    let dot = Record::new_checked(&buf)?;
    if dot.name() != [0] {
        return Err(IsoError::BadDirectory);
    }
    vol.rr_skip = susp::sp_len_skp(dot.system_use());
    Ok(vol)
}

/// Looks up a path given as components, e.g. `&[b"qcloud_action", b"os.conf"]`, trying
/// Rock Ridge, Joliet, plain ISO9660 names, then the level-1 fallback (see the module doc).
pub fn find<S: Sectors>(dev: &mut S, vol: &Volume, path: &[&[u8]]) -> Result<FileRef, IsoError> {
    find_dyn(dev, vol, path)
}

/// Which names a walk compares.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scheme {
    RockRidge(u8),
    Joliet,
    Plain { level1: bool },
}

/// Scratch space for one lookup: the directory sector, a continuation-area sector and the
/// assembled Rock Ridge name.
struct Scratch {
    dir: [u8; SECTOR],
    ce: [u8; SECTOR],
    name: [u8; NAME_MAX],
}

fn find_dyn(dev: &mut dyn Sectors, vol: &Volume, path: &[&[u8]]) -> Result<FileRef, IsoError> {
    let mut s = Scratch { dir: [0; SECTOR], ce: [0; SECTOR], name: [0; NAME_MAX] };
    let pvd_only = vol.rr_skip.is_none() && vol.joliet.is_none();
    let schemes = [
        vol.rr_skip.map(Scheme::RockRidge),
        vol.joliet.map(|_| Scheme::Joliet),
        Some(Scheme::Plain { level1: pvd_only }),
    ];
    let mut miss = IsoError::NotFound;
    for &scheme in schemes.iter().flatten() {
        match walk(dev, vol, &mut s, path, scheme) {
            Ok(f) => return Ok(f),
            Err(e) => keep_miss(&mut miss, e)?,
        }
    }
    Err(miss)
}

/// A "not there" error is kept if it tells more than `miss`; any other error is returned.
/// (Inlined into its two callers: measured 32 bytes smaller than the call.)
#[inline(always)]
fn keep_miss(miss: &mut IsoError, e: IsoError) -> Result<(), IsoError> {
    match (e.miss_rank(), miss.miss_rank()) {
        (Some(new), Some(old)) if new > old => *miss = e,
        (Some(_), _) => {}
        (None, _) => return Err(e),
    }
    Ok(())
}

fn walk(
    dev: &mut dyn Sectors,
    vol: &Volume,
    s: &mut Scratch,
    path: &[&[u8]],
    scheme: Scheme,
) -> Result<FileRef, IsoError> {
    let (file, dirs) = path.split_last().ok_or(IsoError::NotAFile)?;
    let mut at = match scheme {
        Scheme::Joliet => vol.joliet.ok_or(IsoError::NotFound)?,
        _ => vol.root,
    };
    let mut fallback = false;
    // Level-1 evidence: some name was seen, and every name seen was an 8.3 name.
    let mut names = (false, true);
    let mut step = |dev: &mut dyn Sectors, at, want, want_dir| {
        let found = lookup(dev, s, at, want, want_dir, scheme, &mut names);
        match found {
            Err(IsoError::NotFound) if names == (true, true) => Err(IsoError::NotFoundLevel1),
            Ok((ext, loose)) => {
                fallback |= loose;
                Ok(ext)
            }
            Err(e) => Err(e),
        }
    };
    for want in dirs {
        at = step(dev, at, want, true)?;
    }
    let ext = step(dev, at, file, false)?;
    let how = match scheme {
        Scheme::RockRidge(_) => NameKind::RockRidge,
        Scheme::Joliet => NameKind::Joliet,
        Scheme::Plain { .. } if fallback => NameKind::Level1Fallback,
        Scheme::Plain { .. } => NameKind::Plain,
    };
    Ok(FileRef { lba: ext.lba, size: ext.size, how })
}

/// The extent of the record, unless it is laid out in a way this reader does not handle.
fn take(rec: &Record) -> Result<Extent, IsoError> {
    if rec.is_multi_extent() {
        return Err(IsoError::MultiExtent);
    }
    if rec.is_interleaved() {
        return Err(IsoError::Interleaved);
    }
    rec.extent()
}

/// Finds `want` in directory `at`; returns its extent and whether the level-1 fallback
/// matched it. For the level-1 scheme, `names` records whether any name was seen and
/// whether all of them were 8.3 names.
fn lookup(
    dev: &mut dyn Sectors,
    s: &mut Scratch,
    at: Extent,
    want: &[u8],
    want_dir: bool,
    scheme: Scheme,
    names: &mut (bool, bool),
) -> Result<(Extent, bool), IsoError> {
    let level1 = scheme == Scheme::Plain { level1: true };
    let mut cur = Cursor::new(at)?;
    let mut loose_hit: Option<Result<Extent, IsoError>> = None;
    let mut wrong_kind = false;
    while let Some(rec) = cur.next(dev, &mut s.dir)? {
        if rec.is_dot_or_dotdot() || rec.is_associated() {
            continue;
        }
        let exact = match scheme {
            Scheme::RockRidge(skip) => {
                let n = susp::rr_name(dev, rec.system_use(), skip, &mut s.ce, &mut s.name)?;
                n.and_then(|n| s.name.get(..n)) == Some(want)
            }
            Scheme::Joliet => joliet::name_eq(rec.name(), want),
            Scheme::Plain { .. } => dir::plain_eq(rec.name(), want),
        };
        if level1 {
            *names = (true, names.1 && dir::is_8_3(rec.name(), rec.is_dir()));
        }
        let loose = !exact && level1 && dir::level1_eq(rec.name(), want, !want_dir);
        if !exact && !loose {
            continue;
        }
        if rec.is_dir() != want_dir {
            wrong_kind = true;
            continue;
        }
        if exact {
            return take(&rec).map(|e| (e, false));
        }
        if loose_hit.is_none() {
            loose_hit = Some(take(&rec));
        }
    }
    if let Some(hit) = loose_hit {
        return hit.map(|e| (e, true));
    }
    Err(match (wrong_kind, want_dir) {
        (true, true) => IsoError::NotADirectory,
        (true, false) => IsoError::NotAFile,
        _ => IsoError::NotFound,
    })
}

/// Reads the whole file into `out`; [`IsoError::TooLarge`] when it does not fit. Returns
/// the byte count.
pub fn read<S: Sectors>(dev: &mut S, file: FileRef, out: &mut [u8]) -> Result<usize, IsoError> {
    read_dyn(dev, file, out)
}

fn read_dyn(dev: &mut dyn Sectors, file: FileRef, out: &mut [u8]) -> Result<usize, IsoError> {
    let ext = Extent::new(file.lba, file.size)?;
    let size = ext.size as usize;
    let out = out.get_mut(..size).ok_or(IsoError::TooLarge)?;
    let mut buf = [0u8; SECTOR];
    let mut r = Ok(size);
    for (lba, chunk) in (ext.lba..).zip(out.chunks_mut(SECTOR)) {
        if dev.read_sector(lba, &mut buf).is_err() {
            r = Err(IsoError::Io);
            break;
        }
        chunk.copy_from_slice(buf.get(..chunk.len()).unwrap_or(&[]));
    }
    // os.conf holds root's hash: the sector it passed through is wiped (the caller wipes
    // `out` once parsed).
    crate::text::zero(&mut buf);
    r
}

/// Where Tencent Cloud's config drive keeps os.conf, and the misspelt directory its
/// documentation once gave.
pub static OS_CONF_PATHS: [(&str, &[&[u8]]); 2] =
    [("qcloud_action/os.conf", &[b"qcloud_action", b"os.conf"]), ("os_action/os.conf", &[b"os_action", b"os.conf"])];

/// The config file: tries `qcloud_action/os.conf`, then the vendor doc's typo
/// `os_action/os.conf`. Returns the file and which path matched.
pub fn find_os_conf<S: Sectors>(dev: &mut S, vol: &Volume) -> Result<(FileRef, &'static str), IsoError> {
    let mut miss = IsoError::NotFound;
    for &(name, path) in &OS_CONF_PATHS {
        match find_dyn(dev, vol, path) {
            Ok(f) => return Ok((f, name)),
            Err(e) => keep_miss(&mut miss, e)?,
        }
    }
    Err(miss)
}
