//! # osconf — configure a cloud VM's root from Tencent Cloud's config CD, before it boots
//!
//! This library is the pure core: no syscalls, no allocation, no `unsafe`, `no_std`. It
//! builds for `x86_64-unknown-none`. The binary (`src/main.rs` + `src/os/`) is the only
//! code that touches the machine.
//!
//! ## Goals, ranked
//! 1. Never block or break the boot: every failure is one log line and a normal boot.
//! 2. Never write anything invalid, never lose what was there, never write outside the root.
//! 3. Configure what the CD says: hostname, root's password hash, DNS, static network.
//! 4. Be small and fast enough to sit in every initramfs unnoticed.
//!
//! ## Non-goals
//! Running at every boot as a service, DHCP, IPv6 (os.conf has none), user data scripts.
//!
//! ## Data flow
//! ```text
//! cmdline ─► drive found ─► os.conf bytes ─► conf::parse ─► Config + Notes
//!            (os::scan)     (mount | iso)                        │
//!   root facts (os::facts: old files, NIC names, stack) ──► plan::build ─► Plan (all rendered)
//!                                                                │
//!                                           os::root::apply ◄────┘ ─► report: one line each
//! ```

#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

pub mod cli;
pub mod conf;
pub mod iso;
pub mod limits;
pub mod plan;
pub mod render;
pub mod report;
pub mod state;
pub mod text;
pub mod udev;
