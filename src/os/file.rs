//! Small file helpers over rustix.

use core::ffi::CStr;
use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{AtFlags, Mode, OFlags};
use rustix::io::Errno;

/// The file type bits of a mode (`S_IFMT`), and the types tested (`<sys/stat.h>`): a mask
/// and a compare, where `FileType::from_raw_mode` is a table lookup at every use.
pub const S_IFMT: u32 = 0o170000;
pub const S_IFREG: u32 = 0o100000;
pub const S_IFDIR: u32 = 0o040000;
pub const S_IFLNK: u32 = 0o120000;
pub const S_IFBLK: u32 = 0o060000;

/// Longest path the kernel takes, NUL included (`PATH_MAX`).
pub const PATH_MAX: usize = 4096;

/// `path` NUL-terminated in `buf`. Every path reaches rustix as a `&CStr`, converted here
/// once: rustix converts a `&str` or `&[u8]` itself, but with a copy of that code inside
/// every call site's instance of every function. The errors are rustix's own:
/// `ENAMETOOLONG` beyond `PATH_MAX`, `EINVAL` for a NUL inside the path.
pub fn c_path<'b>(path: &[u8], buf: &'b mut [u8; PATH_MAX]) -> Result<&'b CStr, Errno> {
    let n = path.len();
    if n >= PATH_MAX {
        return Err(Errno::NAMETOOLONG);
    }
    let with_nul = buf.get_mut(..=n).ok_or(Errno::NAMETOOLONG)?;
    let (last, head) = with_nul.split_last_mut().ok_or(Errno::NAMETOOLONG)?;
    head.copy_from_slice(path);
    *last = 0;
    c_str(with_nul).ok_or(Errno::INVAL)
}

/// `bytes` as a `&CStr` when it ends with its only NUL. (A plain search: core's `CStr`
/// constructors search with its word-at-a-time `memchr`, 253 bytes of code, for paths
/// and attribute names of a few dozen bytes; `contains(&0)` is that `memchr` too.)
pub fn c_str(bytes: &[u8]) -> Option<&CStr> {
    let (&last, head) = bytes.split_last()?;
    if last != 0 || !head.iter().all(|&b| b != 0) {
        return None;
    }
    // SAFETY: just checked: `bytes` ends with a NUL and has no other.
    Some(unsafe { CStr::from_bytes_with_nul_unchecked(bytes) })
}

/// `openat(dir, path, flags, mode)`.
/// (Concrete types throughout: one copy of each helper in the binary.)
pub fn openat(dir: BorrowedFd<'_>, path: &[u8], flags: OFlags, mode: Mode) -> Result<OwnedFd, Errno> {
    let mut buf = [0u8; PATH_MAX];
    rustix::fs::openat(dir, c_path(path, &mut buf)?, flags, mode)
}

/// `fstatat(dir, path, flags)`: the file type (the mode's [`S_IFMT`] bits), all that its
/// callers use (a `Stat` is 144 bytes to move).
pub fn type_at(dir: BorrowedFd<'_>, path: &[u8], flags: AtFlags) -> Result<u32, Errno> {
    let mut buf = [0u8; PATH_MAX];
    rustix::fs::statat(dir, c_path(path, &mut buf)?, flags).map(|st| st.st_mode & S_IFMT)
}

/// `open(path, O_RDONLY | O_CLOEXEC [| extra])`.
pub fn open_read(dir: BorrowedFd<'_>, path: &[u8], extra: OFlags) -> Result<OwnedFd, Errno> {
    openat(dir, path, OFlags::RDONLY | OFlags::CLOEXEC | extra, Mode::empty())
}

/// Reads until EOF or until `buf` is full. `Ok(None)` when the file has more bytes than
/// `buf` holds (the caller treats that as "too large", never as a truncated read).
pub fn read_all(fd: BorrowedFd<'_>, buf: &mut [u8]) -> Result<Option<usize>, Errno> {
    let mut n = 0;
    loop {
        let Some(rest) = buf.get_mut(n..) else { return Ok(None) };
        if rest.is_empty() {
            // Full: one more byte tells whether the file is larger.
            let mut probe = [0u8; 1];
            return match read_retry(fd, &mut probe)? {
                0 => Ok(Some(n)),
                _ => Ok(None),
            };
        }
        match read_retry(fd, rest)? {
            0 => return Ok(Some(n)),
            k => n += k,
        }
    }
}

pub fn read_retry(fd: BorrowedFd<'_>, buf: &mut [u8]) -> Result<usize, Errno> {
    loop {
        match rustix::io::read(fd, &mut *buf) {
            Err(Errno::INTR) => continue,
            other => return other,
        }
    }
}

/// Writes all of `data`.
pub fn write_all(fd: BorrowedFd<'_>, mut data: &[u8]) -> Result<(), Errno> {
    while !data.is_empty() {
        match rustix::io::write(fd, data) {
            Ok(0) => return Err(Errno::IO),
            Ok(k) => data = data.get(k..).unwrap_or(&[]),
            Err(Errno::INTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reads a small sysfs/proc attribute relative to `dir`, with the trailing newline
/// removed. `None` when absent, unreadable or not shorter than `buf`. One `read`: sysfs
/// and these procfs files return the whole value at once.
pub fn read_attr<'b>(dir: BorrowedFd<'_>, path: &str, buf: &'b mut [u8]) -> Option<&'b [u8]> {
    let fd = open_read(dir, path.as_bytes(), OFlags::empty()).ok()?;
    let n = read_retry(fd.as_fd(), buf).ok().filter(|&n| n < buf.len())?;
    let v = buf.get(..n)?;
    Some(match v {
        [value @ .., b'\n'] => value,
        _ => v,
    })
}
