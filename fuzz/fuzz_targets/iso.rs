//! Bytes as an ISO9660 image → the reader the binary uses when it cannot mount the CD:
//! `Volume::probe`, `find_os_conf`, `read`, then `conf::parse` of what was read.
//!
//! The input is the image *without its system area*: input byte 0 is LBA 16 (the first
//! volume descriptor), and LBAs 0–15 (32 KiB that ISO9660 leaves to the system, zeros on
//! every config drive) read as zeros. That keeps every input 32 KiB shorter, so the
//! fuzzer spends its time on the descriptors and directories. The end of the input is the
//! end of the medium: a sector not wholly inside it is a read error, as on a truncated
//! image. Seeds: `fuzz/corpus/iso/` (xorriso images cut this way; README, Fuzzing).
//!
//! Properties checked besides "no panic, no hang":
//! - a file read has exactly its recorded size, and its bytes are the image's bytes at
//!   its extent (the reader never returns bytes that are not the named file's);
//! - probing and finding are deterministic (a second lookup gives the same answer).
#![no_main]

use libfuzzer_sys::fuzz_target;
use osconf::iso::{self, IoError, SECTOR, Sectors, Volume};
use osconf::limits::CONF_MAX;

/// LBAs before the first volume descriptor (ECMA-119 §6.2.1), not part of the input.
const SYSTEM_AREA: u32 = 16;

struct Image<'a> {
    data: &'a [u8],
}

impl Image<'_> {
    fn sector(&self, lba: u32) -> Option<[u8; SECTOR]> {
        let mut buf = [0u8; SECTOR];
        if lba >= SYSTEM_AREA {
            let start = (lba - SYSTEM_AREA) as usize * SECTOR;
            buf.copy_from_slice(self.data.get(start..start.checked_add(SECTOR)?)?);
        }
        Some(buf)
    }
}

impl Sectors for Image<'_> {
    fn read_sector(&mut self, lba: u32, buf: &mut [u8; SECTOR]) -> Result<(), IoError> {
        *buf = self.sector(lba).ok_or(IoError)?;
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let mut dev = Image { data };
    let Ok(vol) = Volume::probe(&mut dev) else { return };
    let _ = (vol.label(), vol.joliet_label(), vol.is_config_drive(), vol.has_rock_ridge(), vol.has_joliet());
    let found = iso::find_os_conf(&mut dev, &vol);
    assert_eq!(found, iso::find_os_conf(&mut dev, &vol), "lookup is deterministic");
    let Ok((file, _path)) = found else { return };
    let mut out = vec![0u8; CONF_MAX];
    let Ok(n) = iso::read(&mut dev, file, &mut out) else { return };
    assert_eq!(n, file.size as usize, "read returns the recorded size");
    for (i, chunk) in out[..n].chunks(SECTOR).enumerate() {
        let want = dev.sector(file.lba + i as u32).expect("read succeeded, so the sector exists");
        assert_eq!(chunk, &want[..chunk.len()], "file bytes are the image's bytes at the extent");
    }
    let _ = osconf::conf::parse(&out[..n]);
});
