//! Finding and reading the config drive.
//!
//! Scan `<sys>/class/block` (no udev needed), CD-ROMs first; read each candidate's ISO9660
//! volume descriptors with [`osconf::iso`]; prefer the label `config-2`, else any ISO that
//! holds `qcloud_action/os.conf`. A CD-ROM drive that is still empty may get its medium
//! late: then we wait up to the timeout; with no empty drive, at most [`GRACE_MS`].
//!
//! Reading: when the running kernel has iso9660 (built in, or its module already
//! loaded), a block device is mounted read-only (`nosuid,nodev,noexec`) at a private
//! directory and unmounted right after. When it has not (a distribution kernel's isofs
//! is a module no initramfs loads: osconf loads none for one small file), when the mount
//! fails or the file is not found through it (an 8.3-only image), or when the source is
//! an image file, the built-in ISO9660/Rock Ridge/Joliet reader reads the file straight
//! off the device.

use crate::os::file::{PATH_MAX, c_path, open_read, read_all, read_attr};
use crate::os::log::Level::Info;
use crate::os::log::Log;
use crate::os::sys::{each_entry, in_order, open_dir};
use core::ffi::CStr;
use osconf::iso::{self, IoError, IsoError, SECTOR, Sectors, Volume};
use osconf::limits::MAX_BLOCK_DEVICES;
use osconf::report::Arg::{self, B, E, L, N, S};
use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;

/// The longest osconf waits for a CD when no CD-ROM drive is empty: for a drive the
/// kernel is still probing. Both initramfs systems run osconf after udev has settled and
/// the root is mounted, so a drive present at boot is there by then; this is a margin,
/// paid at every boot without a CD (the goal is under 1 s in all).
pub const GRACE_MS: u64 = 500;
/// Pause between scans.
const POLL_MS: u64 = 200;
/// Where the CD is mounted while os.conf is read.
const MOUNT_DIR: &CStr = c"/run/osconf-cd";

/// ISO sectors over a file descriptor.
struct FdSectors<'a>(&'a OwnedFd);

impl Sectors for FdSectors<'_> {
    fn read_sector(&mut self, lba: u32, buf: &mut [u8; SECTOR]) -> Result<(), IoError> {
        let mut off = 0usize;
        while off < SECTOR {
            let pos = u64::from(lba) * SECTOR as u64 + off as u64;
            let rest = buf.get_mut(off..).ok_or(IoError)?;
            match rustix::io::pread(self.0, rest, pos) {
                Ok(0) => return Err(IoError),
                Ok(n) => off += n,
                Err(Errno::INTR) => {}
                Err(_) => return Err(IoError),
            }
        }
        Ok(())
    }
}

/// Why no os.conf could be read.
#[derive(Clone, Copy, Debug)]
pub enum DriveError {
    Open(Errno),
    Iso(IsoError),
    TooLarge,
}

/// Reads os.conf from a block device or an image file into `buf`; logs how.
pub fn read_device(path: &[u8], buf: &mut [u8], log: &mut Log) -> Result<usize, DriveError> {
    let fd = open_read(rustix::fs::CWD, path, OFlags::NONBLOCK).map_err(DriveError::Open)?;
    use crate::os::file::{S_IFBLK, S_IFDIR, S_IFMT};
    let kind = rustix::fs::fstat(&fd).map(|s| s.st_mode & S_IFMT).map_err(DriveError::Open)?;
    if kind == S_IFDIR {
        return Err(DriveError::Open(Errno::ISDIR));
    }
    let is_block = kind == S_IFBLK;
    let vol = Volume::probe(&mut FdSectors(&fd)).map_err(DriveError::Iso)?;
    let mut mounted = None;
    if is_block && kernel_has_iso9660() {
        // Why the mount did not do: the mount's error, or none when the file was not there.
        let failed = match mounted_read(path, buf) {
            Ok(found) => {
                mounted = Some(found);
                None
            }
            Err(MountError::Mount(e)) => Some(Some(e)),
            Err(MountError::NoFile) => Some(None),
            Err(MountError::TooLarge) => return Err(DriveError::TooLarge),
        };
        let then = "); reading the ISO directly";
        match failed {
            Some(None) => log.say(
                Info,
                "no qcloud_action/os.conf through the mount of {}{}",
                &[B(path), S(then.get(1..).unwrap_or(then))],
            ),
            Some(Some(e)) => log.failure(Info, "could not mount {} (", path, "{}", E(e.raw_os_error()), then),
            None => {}
        }
    }
    // The template's third `{}` is the kind of names the ISO reader went by.
    let (n, file, tpl, how) = match mounted {
        Some((n, file)) => (n, file, "read {} from {} (mounted read-only, {}{} bytes)", ""),
        None => {
            let mut dev = FdSectors(&fd);
            let (file, path_found) = iso::find_os_conf(&mut dev, &vol).map_err(DriveError::Iso)?;
            let n = match iso::read(&mut dev, file, buf) {
                Ok(n) => n,
                Err(IsoError::TooLarge) => return Err(DriveError::TooLarge),
                Err(e) => return Err(DriveError::Iso(e)),
            };
            // Per iso::NameKind, in its order.
            let how = osconf::text::nth("Rock Ridge|Joliet|ISO9660|ISO9660 level-1 8.3", file.how as usize);
            (n, path_found, "read {} from {} (built-in ISO reader, {} names, {} bytes)", how)
        }
    };
    log.say(Info, tpl, &[S(file), B(path), S(how), N(n as u32)]);
    Ok(n)
}

/// Whether the running kernel has the iso9660 filesystem now, built in or loaded
/// (`/proc/filesystems`); yes when that cannot be read (the mount will tell). Without it
/// the file is read straight off the ISO: no filesystem module is loaded into the
/// kernel, at every boot, for one small file.
fn kernel_has_iso9660() -> bool {
    let mut b = [0u8; 4096];
    let Some(list) = read_attr(rustix::fs::CWD, "/proc/filesystems", &mut b) else { return true };
    list.split(|&c| c == b'\n').any(|l| l.strip_suffix(b"\tiso9660".as_slice()).is_some())
}

enum MountError {
    Mount(Errno),
    NoFile,
    TooLarge,
}

fn mounted_read(dev: &[u8], buf: &mut [u8]) -> Result<(usize, &'static str), MountError> {
    use rustix::mount::{MountFlags, UnmountFlags};
    match rustix::fs::mkdir(MOUNT_DIR, Mode::from_raw_mode(0o700)) {
        Ok(()) | Err(Errno::EXIST) => {}
        Err(e) => return Err(MountError::Mount(e)),
    }
    let flags = MountFlags::RDONLY | MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC;
    let mut dev_buf = [0u8; PATH_MAX];
    let mounted =
        c_path(dev, &mut dev_buf).and_then(|dev| rustix::mount::mount(dev, MOUNT_DIR, c"iso9660", flags, None));
    if let Err(e) = mounted {
        let _ = rustix::fs::rmdir(MOUNT_DIR);
        return Err(MountError::Mount(e));
    }
    let mut result = Err(MountError::NoFile);
    if let Ok(dir) = open_read(rustix::fs::CWD, MOUNT_DIR.to_bytes(), OFlags::DIRECTORY) {
        for &(file, _) in &iso::OS_CONF_PATHS {
            if let Ok(fd) = open_read(dir.as_fd(), file.as_bytes(), OFlags::NOFOLLOW) {
                result = match read_all(fd.as_fd(), buf) {
                    Ok(Some(n)) => Ok((n, file)),
                    Ok(None) => Err(MountError::TooLarge),
                    Err(_) => Err(MountError::NoFile),
                };
                break;
            }
        }
    }
    let _ = rustix::mount::unmount(MOUNT_DIR, UnmountFlags::empty());
    let _ = rustix::fs::rmdir(MOUNT_DIR);
    result
}

/// `ioctl(fd, CDROM_DRIVE_STATUS, CDSL_CURRENT)` (`<linux/cdrom.h>`): the drive's state
/// comes back as the return value.
struct DriveStatus;

// SAFETY: CDROM_DRIVE_STATUS takes an integer slot argument (CDSL_CURRENT), writes no
// user memory, and returns the status as the ioctl's return value.
unsafe impl rustix::ioctl::Ioctl for DriveStatus {
    type Output = i32;
    const IS_MUTATING: bool = false;
    fn opcode(&self) -> rustix::ioctl::Opcode {
        0x5326
    }
    fn as_ptr(&mut self) -> *mut core::ffi::c_void {
        i32::MAX as usize as *mut core::ffi::c_void
    }
    unsafe fn output_from_ptr(out: rustix::ioctl::IoctlOutput, _: *mut core::ffi::c_void) -> rustix::io::Result<i32> {
        Ok(out)
    }
}

/// Whether a CD-ROM drive has no disc yet: `CDS_NO_DISC` (1), `CDS_TRAY_OPEN` (2) or
/// `CDS_DRIVE_NOT_READY` (3). Anything else (a disc, or not a CD-ROM at all) is not empty.
fn drive_empty(fd: &OwnedFd) -> bool {
    // SAFETY: see `DriveStatus`; on a device that is not a CD-ROM the ioctl fails (ENOTTY).
    matches!(unsafe { rustix::ioctl::ioctl(fd, DriveStatus) }, Ok(1..=3))
}

struct Candidate {
    name: crate::os::sys::Name,
    cdrom: bool,
}

/// What one pass over the block devices saw.
#[derive(Default)]
struct Pass {
    /// A CD-ROM drive without a medium (one may still be inserted).
    empty_cdrom: bool,
    any_cdrom: bool,
    /// A `config-2` volume that has no os.conf (reported if nothing else is found).
    config2_without_file: bool,
}

/// A decimal `u64` exactly as `str::parse::<u64>` reads one (an optional `+`, then one or
/// more digits, no overflow), in a fraction of its code.
fn parse_u64(s: &[u8]) -> Option<u64> {
    let digits = match s {
        [b'+', digits @ ..] => digits,
        _ => s,
    };
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        let d = if d.is_ascii_digit() { u64::from(d - b'0') } else { return None };
        n.checked_mul(10)?.checked_add(d)
    })
}

fn dev_path(dev_dir: &[u8], name: &str) -> heapless::Vec<u8, 256> {
    let mut p = heapless::Vec::new();
    let _ = p.extend_from_slice(dev_dir);
    let _ = p.push(b'/');
    let _ = p.extend_from_slice(name.as_bytes());
    p
}

/// One pass: returns the device path holding os.conf, if any.
fn pass(sys: &OwnedFd, dev_dir: &[u8], seen: &mut Pass) -> Option<heapless::Vec<u8, 256>> {
    let block = open_dir(sys, "class/block")?;
    let mut cands: heapless::Vec<Candidate, MAX_BLOCK_DEVICES> = heapless::Vec::new();
    each_entry(block.as_fd(), &mut |name| {
        let mut a = [0u8; 32];
        let mut path: heapless::String<64> = heapless::String::new();
        let _ = path.push_str(name);
        let _ = path.push_str("/device/type");
        // SCSI type 5 is a CD-ROM (sr); IDE/SATA/virtio-scsi CD-ROMs are all sr devices.
        let cdrom = name.starts_with("sr") || matches!(read_attr(block.as_fd(), &path, &mut a), Some(b"5"));
        path.clear();
        let _ = path.push_str(name);
        let _ = path.push_str("/size");
        let sectors512 = read_attr(block.as_fd(), &path, &mut a).and_then(parse_u64).unwrap_or(0);
        if cdrom {
            seen.any_cdrom = true;
            if sectors512 == 0 {
                seen.empty_cdrom = true;
            }
        }
        // Smaller than the 17 sectors before an ISO's first descriptor ends: not an ISO.
        if sectors512 < 18 * 4 {
            return;
        }
        let mut n = crate::os::sys::Name::new();
        if n.push_str(name).is_ok() {
            // Kept sorted: CD-ROM drives first, then by name.
            let at = cands.iter().position(|c| !in_order(c.cdrom, &c.name, cdrom, name)).unwrap_or(cands.len());
            let _ = cands.insert(at, Candidate { name: n, cdrom });
        }
    });
    // Two rounds: config-2 volumes first, then any ISO with the file.
    for round in 0..2 {
        let want_label = round == 0;
        for c in &cands {
            let path = dev_path(dev_dir, &c.name);
            let fd = match open_read(rustix::fs::CWD, path.as_slice(), OFlags::NONBLOCK) {
                Ok(fd) => fd,
                Err(Errno::NOMEDIUM) => {
                    seen.empty_cdrom = true;
                    continue;
                }
                Err(_) => continue,
            };
            // An empty drive shows a default capacity (2097151 sectors) in sysfs, not 0:
            // ask the drive.
            if c.cdrom && want_label && drive_empty(&fd) {
                seen.empty_cdrom = true;
                continue;
            }
            let mut dev = FdSectors(&fd);
            let vol = match Volume::probe(&mut dev) {
                Ok(vol) => vol,
                // A medium just inserted reads as "not present" until the kernel has taken
                // it in, though the drive already says it holds one: waited for like an
                // empty drive (up to the timeout), not given up after the grace time.
                Err(IsoError::Io) if c.cdrom => {
                    seen.empty_cdrom = true;
                    continue;
                }
                Err(_) => continue,
            };
            if vol.is_config_drive() != want_label {
                continue;
            }
            if iso::find_os_conf(&mut dev, &vol).is_ok() {
                return Some(path);
            }
            if want_label {
                seen.config2_without_file = true;
            }
        }
    }
    None
}

/// Milliseconds elapsed: from `/proc/uptime`, or (without procfs) the time slept so far.
struct Elapsed {
    start: Option<u64>,
    slept: u64,
}

impl Elapsed {
    fn start() -> Elapsed {
        Elapsed { start: crate::os::clock::uptime_ms(), slept: 0 }
    }

    fn ms(&self) -> u64 {
        match (self.start, crate::os::clock::uptime_ms()) {
            (Some(s), Some(now)) => now.saturating_sub(s),
            _ => self.slept,
        }
    }

    fn sleep(&mut self, ms: u64) {
        sleep_ms(ms);
        self.slept += ms;
    }
}

fn sleep_ms(ms: u64) {
    let ts = rustix::thread::Timespec { tv_sec: (ms / 1000) as i64, tv_nsec: ((ms % 1000) * 1_000_000) as i64 };
    let _ = rustix::thread::nanosleep(&ts);
}

/// Scans for the config drive, waiting as described in the module doc. Returns the device
/// path, or `None` after logging why nothing was found.
pub fn scan(sys_path: &[u8], dev_dir: &[u8], timeout_s: u32, log: &mut Log) -> Option<heapless::Vec<u8, 256>> {
    let mut clock = Elapsed::start();
    let Ok(sys) = open_read(rustix::fs::CWD, sys_path, OFlags::DIRECTORY) else {
        log.line(crate::os::log::Level::Warn, b"cannot open sysfs; no config CD can be found");
        return None;
    };
    let mut seen = Pass::default();
    loop {
        let mut this = Pass::default();
        if let Some(p) = pass(&sys, dev_dir, &mut this) {
            log.say(Info, "found the config CD at {} after {} ms", &[B(&p), L(clock.ms())]);
            return Some(p);
        }
        seen.any_cdrom |= this.any_cdrom;
        seen.config2_without_file |= this.config2_without_file;
        let limit =
            if this.empty_cdrom { u64::from(timeout_s) * 1000 } else { GRACE_MS.min(u64::from(timeout_s) * 1000) };
        let waited = clock.ms();
        if waited >= limit {
            let why = if seen.config2_without_file {
                "a config-2 volume has no qcloud_action/os.conf"
            } else if seen.any_cdrom {
                "no CD-ROM holds qcloud_action/os.conf"
            } else {
                "no CD-ROM drive"
            };
            // (One say: the line, at most about 130 bytes, always fits.)
            log.say(Info, "no config CD found after {} ms ({}); nothing to do", &[L(waited), S(why)]);
            return None;
        }
        clock.sleep(POLL_MS.min(limit - waited));
    }
}

/// Words for a drive error: a template and its value.
pub fn describe(e: DriveError) -> (&'static str, Arg<'static>) {
    match e {
        DriveError::Open(e) => ("{}", E(e.raw_os_error())),
        DriveError::Iso(e) => ("{}", S(e.reason())),
        DriveError::TooLarge => ("os.conf is larger than {} bytes", N(osconf::limits::CONF_MAX as u32)),
    }
}
