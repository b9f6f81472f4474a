//! The OS edge: the only code that makes syscalls (all through rustix).
//!
//! - [`clock`]: milliseconds since boot and the wall clock, from procfs;
//! - [`file`]: small helpers (read a whole file into a buffer, errno numbers);
//! - [`log`]: one line per action to `/dev/kmsg` or stderr;
//! - [`root`]: the target root, opened once; confined lookups, atomic replacement;
//! - [`sys`]: NIC names from sysfs;
//! - [`drive`]: finding the config CD, mounting it or reading it with [`osconf::iso`].

pub mod clock;
pub mod drive;
#[cfg(feature = "fault-injection")]
pub mod fault;
pub mod file;
pub mod log;
pub mod root;
pub mod sys;
