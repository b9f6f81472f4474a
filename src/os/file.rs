//! Small file helpers over rustix.

use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;

/// `open(path, O_RDONLY | O_CLOEXEC [| extra])`.
/// (Concrete types throughout: one copy of each helper in the binary.)
pub fn open_read(dir: BorrowedFd<'_>, path: &[u8], extra: OFlags) -> Result<OwnedFd, Errno> {
    rustix::fs::openat(dir, path, OFlags::RDONLY | OFlags::CLOEXEC | extra, Mode::empty())
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

fn read_retry(fd: BorrowedFd<'_>, buf: &mut [u8]) -> Result<usize, Errno> {
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
/// removed. `None` when absent or unreadable.
pub fn read_attr<'b>(dir: BorrowedFd<'_>, path: &str, buf: &'b mut [u8]) -> Option<&'b [u8]> {
    let fd = open_read(dir, path.as_bytes(), OFlags::empty()).ok()?;
    let n = read_all(fd.as_fd(), buf).ok()??;
    let v = buf.get(..n)?;
    Some(v.strip_suffix(b"\n").unwrap_or(v))
}
