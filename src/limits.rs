//! Every capacity osconf has, as a named constant with where it comes from.
//! Nothing is ever silently truncated to fit: exceeding one is a reported error.

/// Longest hostname: Linux `HOST_NAME_MAX` (`<bits/local_lim.h>`, `__NEW_UTS_LEN`).
pub const HOST_NAME_MAX: usize = 64;
/// Longest DNS label (RFC 1035 §2.3.4).
pub const LABEL_MAX: usize = 63;
/// Longest crypt(3) hash we accept. yescrypt and `$6$rounds=…` hashes are under 130 bytes;
/// 255 leaves room for any scheme libxcrypt knows.
pub const HASH_MAX: usize = 255;
/// NICs described by os.conf: `eth0_*` … `eth7_*`.
pub const MAX_NICS: usize = 8;
/// DNS servers kept from `dns_nameserver` (all go into the network config).
pub const MAX_DNS: usize = 8;
/// Nameservers glibc's resolver reads from resolv.conf (`MAXNS` in `<resolv.h>`).
pub const MAXNS: usize = 3;
/// `instance_id` kept verbatim for the state file.
pub const INSTANCE_ID_MAX: usize = 64;
/// Largest os.conf read. Tencent's is under 300 bytes.
pub const CONF_MAX: usize = 16 * 1024;
/// Longest os.conf line considered; longer lines are reported and skipped.
pub const LINE_MAX: usize = 1024;
/// Largest file osconf merges into (`/etc/shadow`, `/etc/hosts`, resolv.conf, …).
pub const MERGE_FILE_MAX: usize = 128 * 1024;
/// ISO9660 logical sector size (ECMA-119 §6.1.2; 2048 on every CD).
pub const SECTOR: usize = 2048;
/// Volume descriptors read before giving up on a terminator (ECMA-119 §8.3).
pub const MAX_VOLUME_DESCRIPTORS: u32 = 32;
/// Directory sectors scanned per directory (a config drive has a handful of entries).
pub const MAX_DIR_SECTORS: u32 = 256;
/// Rock Ridge continuation areas followed per directory record (SUSP §5.1 `CE`).
pub const MAX_CE_HOPS: u32 = 8;
/// Longest file or directory name compared (Rock Ridge allows 255 bytes).
pub const NAME_MAX: usize = 255;
/// Interfaces kept from `/sys/class/net` whose MAC is one os.conf names (all others are
/// passed over, however many): a NIC plus bridges, bonds or VLANs borrowing its MAC.
pub const MAX_NET_IFACES: usize = 32;
/// Longest interface name (`IFNAMSIZ` − 1).
pub const IFNAME_MAX: usize = 15;
/// Block devices looked at in `/sys/class/block`.
pub const MAX_BLOCK_DEVICES: usize = 128;
