//! Time without `clock_gettime`: rustix's `clock_gettime` goes through the
//! vDSO, whose lookup code alone is a few KiB of the binary's 64 KiB budget, while
//! osconf needs time twice: to bound its wait for a CD (milliseconds since boot) and for
//! shadow's lastchg (days since the epoch).
//!
//! - `/proc/uptime`: seconds since boot with two decimals (`CLOCK_BOOTTIME`), for the
//!   wait;
//! - the wall clock, for the day: the time stamped on a new pipe ([`unix_seconds`]).

use crate::os::file::read_attr;

/// Leading decimal digits of `s` as a number, and the rest.
fn number(s: &[u8]) -> Option<(u64, &[u8])> {
    let end = s.iter().position(|b| !b.is_ascii_digit()).unwrap_or(s.len());
    if end == 0 || end > 18 {
        return None;
    }
    let (digits, rest) = s.split_at(end);
    Some((digits.iter().fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0')), rest))
}

/// Milliseconds since boot, or `None` without procfs.
pub fn uptime_ms() -> Option<u64> {
    let mut buf = [0u8; 64];
    let text = read_attr(rustix::fs::CWD, "/proc/uptime", &mut buf)?;
    let (secs, rest) = number(text)?;
    let centis = rest.strip_prefix(b".").and_then(number).map_or(0, |(c, _)| c.min(99));
    Some(secs * 1000 + centis * 10)
}

/// Seconds since the epoch: the time the kernel stamps on a new pipe's inode (its
/// atime, mtime and ctime are the coarse real-time clock when the pipe is made), read
/// back with `fstat`. Four syscalls, none of them a `/proc/stat` read (the kernel formats
/// every CPU's and interrupt's counters for its `btime` line: of a whole run the most
/// expensive read). `None` when no pipe can be made.
pub fn unix_seconds() -> Option<u64> {
    let (read, _write) = rustix::pipe::pipe().ok()?;
    u64::try_from(rustix::fs::fstat(&read).ok()?.st_mtime).ok()
}
