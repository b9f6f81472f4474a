//! Time from procfs, not from `clock_gettime`: rustix's `clock_gettime` goes through the
//! vDSO, whose lookup code alone is a few KiB of the binary's 64 KiB budget, while
//! osconf needs time twice: to bound its wait for a CD (milliseconds since boot) and for
//! shadow's lastchg (days since the epoch).
//!
//! - `/proc/uptime`: seconds since boot with two decimals (`CLOCK_BOOTTIME`);
//! - `/proc/stat`'s `btime`: the wall-clock time of the boot, in seconds since the epoch,
//!   which the kernel derives from the current real-time clock on every read; so
//!   `btime + uptime` is now, to the second.

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

/// Seconds since the epoch, or `None` without procfs. `scratch` holds `/proc/stat`
/// (a few KiB; more on machines with many CPUs or interrupts).
pub fn unix_seconds(scratch: &mut [u8]) -> Option<u64> {
    let stat = read_attr(rustix::fs::CWD, "/proc/stat", scratch)?;
    let mut lines = osconf::text::fields(stat, b'\n');
    let btime = loop {
        if let Some(b) = lines.next()?.strip_prefix(b"btime ".as_slice()) {
            break b;
        }
    };
    let (boot, _) = number(btime)?;
    Some(boot + uptime_ms()? / 1000)
}
