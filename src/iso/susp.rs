//! IEEE P1281 System Use Sharing Protocol 1.12 and IEEE P1282 Rock Ridge 1.12 names.
//!
//! A system use area is a sequence of entries: signature (2 bytes), length (1, counting the
//! whole entry), version (1), data. Entries read here:
//! - `SP` (SUSP §5.3): first entry of the root's `.` record; marks SUSP in use and gives
//!   `LEN_SKP`, the bytes to skip at the start of every other record's area. Check bytes
//!   `BE EF`.
//! - `CE` (SUSP §5.1): a continuation area: block, offset and length (both-endian fields,
//!   little-endian half read). Followed once the current area is done; the area must lie
//!   inside its sector, and at most [`MAX_CE_HOPS`] are followed per record, so a `CE`
//!   loop ends in [`IsoError::BadRockRidge`].
//! - `ST` (SUSP §5.4): end of the entries in this area.
//! - `NM` (RRIP §4.1.4): flags byte, then a piece of the name; pieces join until one
//!   without the CONTINUE flag. A name still waiting for its CONTINUE when the entries run
//!   out is incomplete and never matches anything.
//!
//! An entry whose length is under 4 or runs past its area ends that area (as padding
//! does); everything is bounded by the area, so a bad length cannot read outside it.

use super::dir::le32;
use super::{IsoError, SECTOR, Sectors};
use crate::limits::{MAX_CE_HOPS, NAME_MAX};

/// NM flags (RRIP §4.1.4.1).
const NM_CONTINUE: u8 = 1 << 0;
const NM_CURRENT: u8 = 1 << 1;
const NM_PARENT: u8 = 1 << 2;

/// The entries of one area, each as (signature, whole entry).
fn entries(area: &[u8]) -> impl Iterator<Item = ([u8; 2], &[u8])> {
    let mut rest = area;
    core::iter::from_fn(move || {
        let (sig, len) = match rest {
            [a, b, len, _, ..] => ([*a, *b], *len as usize),
            _ => return None,
        };
        if len < 4 || len > rest.len() {
            return None;
        }
        let (entry, tail) = rest.split_at(len);
        rest = tail;
        (&sig != b"ST").then_some((sig, entry))
    })
}

/// `LEN_SKP` when the area (of the root's `.` record) starts with a valid `SP` entry.
pub fn sp_len_skp(area: &[u8]) -> Option<u8> {
    match area {
        [b'S', b'P', 7, 1, 0xBE, 0xEF, skip, ..] => Some(*skip),
        _ => None,
    }
}

/// Assembles the Rock Ridge name of a record into `out` from its system use area `su`
/// (after `skip` bytes), following `CE` continuation areas through `scratch`.
/// `Ok(Some(len))` for a complete name, `Ok(None)` when there is none (or it is
/// incomplete, too long, or `.`/`..`). (Inlined into the lookup: measured 40 bytes
/// smaller.)
#[inline(always)]
pub fn rr_name(
    dev: &mut dyn Sectors,
    su: &[u8],
    skip: u8,
    scratch: &mut [u8; SECTOR],
    out: &mut [u8; NAME_MAX],
) -> Result<Option<usize>, IsoError> {
    let mut len = 0usize;
    let mut hops = 0u32;
    let mut area = su.get(skip as usize..).unwrap_or(&[]);
    loop {
        let mut next = None;
        for (sig, entry) in entries(area) {
            match (&sig, entry) {
                (b"CE", _) if entry.len() >= 28 => {
                    next = Some((le32(entry, 4), le32(entry, 12), le32(entry, 20)));
                }
                (b"NM", [_, _, _, _, flags, piece @ ..]) => {
                    if flags & (NM_CURRENT | NM_PARENT) != 0 {
                        return Ok(None);
                    }
                    let Some(dst) = out.get_mut(len..len + piece.len()) else {
                        return Ok(None);
                    };
                    dst.copy_from_slice(piece);
                    len += piece.len();
                    if flags & NM_CONTINUE == 0 {
                        return Ok(Some(len));
                    }
                }
                _ => {}
            }
        }
        let Some((block, offset, length)) = next else {
            return Ok(None);
        };
        hops += 1;
        let end = offset.checked_add(length).filter(|&e| e as usize <= SECTOR);
        let (Some(end), true) = (end, hops <= MAX_CE_HOPS) else {
            return Err(IsoError::BadRockRidge);
        };
        dev.read_sector(block, scratch)?;
        area = scratch.get(offset as usize..end as usize).unwrap_or(&[]);
    }
}
