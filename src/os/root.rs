//! The root being configured, opened once. Every path is relative to it and every lookup
//! is confined to it:
//! - with `openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)` (Linux ≥ 5.6), symlinks in the
//!   image resolve as they would in the booted system — `/etc` → `/usr/etc` stays inside;
//! - without it (`ENOSYS`, e.g. CentOS 7's 3.10 kernel), directories are walked one component
//!   at a time with `O_NOFOLLOW`, and a symlinked directory is refused.
//!
//! The file itself (last component) is never followed: a symlink or a non-regular file
//! there is refused, and FIFOs are opened `O_NONBLOCK` only after `fstat` said regular.
//!
//! Files are replaced through a temp file `O_EXCL` in the same directory, with the owner,
//! mode and `security.*` attributes of the old file (a new one gets its mode and the
//! directory's SELinux label), in two phases: every temp file is written first
//! ([`Root::stage`]), one `syncfs` puts them all on the disk ([`Root::flush`]), then each is
//! renamed over its file ([`Root::commit`]), and one more `syncfs` after the last rename
//! ([`Root::sync`]) puts the renames on the disk. Two flushes a boot, not one a file (each
//! is a wait for the disk), and a crash at any point still leaves each file entirely old
//! or entirely new: no rename happens before every new content is on the disk. Nothing
//! is written when the bytes are already right; a failure removes the temp file.

use crate::os::file::{
    PATH_MAX, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, c_path, c_str, open_read, openat, type_at, write_all,
};
use osconf::plan::{Existing, Skip};
use osconf::report::{Outcome, Step};
use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{AtFlags, Mode, OFlags, ResolveFlags, XattrFlags};
use rustix::io::Errno;

pub struct Root {
    fd: OwnedFd,
    /// `openat2` works here (decided on first use).
    openat2: core::cell::Cell<Option<bool>>,
    /// Directories opened once and kept (`etc` first: nearly every file osconf reads or
    /// writes is in it), by path. Only found ones: a missing one may be created later.
    kept: [core::cell::OnceCell<(heapless::Vec<u8, { osconf::text::STR_MAX }>, OwnedFd)>; 4],
    /// Fingerprints of directories found missing (stack detection asks for `usr/sbin/…`
    /// again and again), forgotten when a directory is created.
    missing: core::cell::Cell<[u64; 4]>,
    /// Files read to be merged (shadow, hosts, ...), kept open with what `fstat` said, by
    /// the FNV-1a fingerprint of their path (as `missing`): replacing one later takes it
    /// from here instead of looking it up, opening and `fstat`ing it again (the same
    /// inode, so the merge and the replacement cannot see two different files).
    read_files: [core::cell::Cell<Option<(u64, Old)>>; 6],
}

/// A directory of the root: opened for one use, or a kept one.
enum Dir<'a> {
    Owned(OwnedFd),
    Kept(BorrowedFd<'a>),
}

impl AsFd for Dir<'_> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Dir::Owned(fd) => fd.as_fd(),
            Dir::Kept(fd) => *fd,
        }
    }
}

/// The old file, as found before a replacement: what is used of its `fstat` (not the
/// whole `Stat`, copied at every move).
struct Old {
    fd: OwnedFd,
    mode: u32,
    uid: u32,
    gid: u32,
    size: i64,
}

/// A fault point of the crash tests (see `os::fault`); nothing in other builds.
#[inline(always)]
fn fault(_name: &str) -> Result<(), Errno> {
    #[cfg(feature = "fault-injection")]
    return crate::os::fault::point(_name);
    #[cfg(not(feature = "fault-injection"))]
    Ok(())
}

/// Splits `etc/sysconfig/network` into (`etc/sysconfig`, `network`).
/// (Paths are handled as bytes below the public functions: no UTF-8 boundary checks.)
fn split(rel: &str) -> (&[u8], &[u8]) {
    let rel = rel.as_bytes();
    match rel.iter().rposition(|&b| b == b'/') {
        Some(i) => match rel.split_at_checked(i) {
            Some((dir, [_, name @ ..])) => (dir, name),
            _ => (&[], rel),
        },
        None => (&[], rel),
    }
}

/// Temp file name next to the target: `.osconf-<name>.tmp`.
fn temp_name(name: &[u8]) -> heapless::Vec<u8, { osconf::plan::PATH_MAX_REL + 16 }> {
    let mut t = heapless::Vec::new();
    let _ = t.extend_from_slice(b".osconf-");
    let _ = t.extend_from_slice(name);
    let _ = t.extend_from_slice(b".tmp");
    t
}

impl Root {
    pub fn open(path: &[u8]) -> Result<Root, Errno> {
        // Not O_PATH: `syncfs` needs a real file descriptor.
        let fd = openat(rustix::fs::CWD, path, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?;
        Ok(Root {
            fd,
            openat2: core::cell::Cell::new(None),
            kept: Default::default(),
            missing: Default::default(),
            read_files: Default::default(),
        })
    }

    /// Forces the component walk (tests both lookup paths on a kernel that has openat2).
    pub fn without_openat2(self) -> Root {
        self.openat2.set(Some(false));
        self
    }

    /// Directory `rel` (relative to the root, `""` for the root itself), confined. The
    /// first few found are kept (opened read-only, which serves every use).
    fn dir(&self, rel: &[u8], flags: OFlags) -> Result<Dir<'_>, Errno> {
        let key = osconf::conf::value::fnv1a(b"", rel);
        let mut missing = self.missing.get();
        if missing.contains(&key) {
            return Err(Errno::NOENT);
        }
        let r = self.dir_found(rel, flags);
        if let (Err(Errno::NOENT), Some(free)) = (&r, missing.iter_mut().find(|k| **k == 0)) {
            *free = key;
            self.missing.set(missing);
        }
        r
    }

    fn dir_found(&self, rel: &[u8], flags: OFlags) -> Result<Dir<'_>, Errno> {
        for slot in &self.kept {
            match slot.get() {
                Some((path, fd)) if path == rel => return Ok(Dir::Kept(fd.as_fd())),
                Some(_) => {}
                None => {
                    let Ok(path) = heapless::Vec::from_slice(rel) else { break };
                    let fd = self.open_dir(rel, OFlags::RDONLY)?;
                    let kept = slot.get_or_init(|| (path, fd));
                    return Ok(Dir::Kept(kept.1.as_fd()));
                }
            }
        }
        self.open_dir(rel, flags).map(Dir::Owned)
    }

    /// Opens directory `rel`, confined.
    fn open_dir(&self, rel: &[u8], flags: OFlags) -> Result<OwnedFd, Errno> {
        let flags = flags | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let rel_or_dot: &[u8] = if rel.is_empty() { b"." } else { rel };
        if self.openat2.get() != Some(false) {
            let mut buf = [0u8; PATH_MAX];
            let r = c_path(rel_or_dot, &mut buf).and_then(|p| {
                // EAGAIN: a rename or mount elsewhere raced the lookup (RESOLVE_IN_ROOT
                // checks for it), and openat2(2) asks for a retry; a few are plenty.
                let mut retries = 8;
                loop {
                    let flags_in_root = ResolveFlags::IN_ROOT | ResolveFlags::NO_MAGICLINKS;
                    match rustix::fs::openat2(&self.fd, p, flags, Mode::empty(), flags_in_root) {
                        Err(Errno::AGAIN) if retries > 0 => retries -= 1,
                        r => return r,
                    }
                }
            });
            match r {
                Err(Errno::NOSYS) | Err(Errno::PERM) if self.openat2.get().is_none() => {
                    // No openat2 (old kernel, or a seccomp filter): walk instead, from now on.
                    self.openat2.set(Some(false));
                }
                other => {
                    self.openat2.set(Some(true));
                    return other;
                }
            }
        }
        self.walk(rel, flags)
    }

    /// Component-by-component `O_NOFOLLOW` walk. `..` never appears in our paths; it and
    /// any symlinked directory are refused (`ELOOP`).
    fn walk(&self, rel: &[u8], flags: OFlags) -> Result<OwnedFd, Errno> {
        let mut cur =
            rustix::fs::openat(&self.fd, c".", OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?;
        let mut parts = osconf::text::fields(rel, b'/').filter(|c| !c.is_empty() && *c != b".");
        // Each component with the one after it (a plain look-ahead: `Peekable` is larger).
        let Some(mut c) = parts.next() else { return rustix::fs::openat(&self.fd, c".", flags, Mode::empty()) };
        loop {
            if c == b".." {
                return Err(Errno::LOOP);
            }
            let after = parts.next();
            let f = if after.is_none() {
                flags | OFlags::NOFOLLOW
            } else {
                OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC
            };
            cur = match openat(cur.as_fd(), c, f, Mode::empty()) {
                Ok(fd) => fd,
                Err(Errno::NOTDIR) | Err(Errno::LOOP) => {
                    let kind = type_at(cur.as_fd(), c, AtFlags::SYMLINK_NOFOLLOW)?;
                    return Err(if kind == S_IFLNK { Errno::LOOP } else { Errno::NOTDIR });
                }
                Err(e) => return Err(e),
            };
            let Some(next) = after else { return Ok(cur) };
            c = next;
        }
    }

    /// Whether something exists at `rel` (not followed if it is a symlink).
    pub fn exists(&self, rel: &str) -> bool {
        let (d, name) = split(rel);
        match self.dir(d, OFlags::PATH) {
            Ok(dir) => type_at(dir.as_fd(), name, AtFlags::SYMLINK_NOFOLLOW).is_ok(),
            Err(_) => false,
        }
    }

    /// Calls `f` with the name of each entry of directory `rel` (confined; absent: none).
    pub fn list(&self, rel: &str, f: &mut dyn FnMut(&str)) {
        if let Ok(dir) = self.dir(rel.as_bytes(), OFlags::RDONLY) {
            crate::os::sys::each_entry(dir.as_fd(), f);
        }
    }

    /// Removes the regular file `rel` (one of ours that no NIC needs any more).
    pub fn remove(&self, rel: &str) -> Outcome {
        let (d, name) = split(rel);
        let fail = |step, e: Errno| Outcome::Failed { step, errno: e.raw_os_error() };
        let dir = match self.dir(d, OFlags::RDONLY) {
            Ok(dir) => dir,
            Err(e) => return dir_refusal(e),
        };
        let at = dir.as_fd();
        match type_at(at, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(S_IFREG) => {}
            Ok(_) => return Outcome::LeftAlone(Skip::NotRegular),
            Err(e) => return fail(Step::Existing, e),
        }
        let mut buf = [0u8; PATH_MAX];
        let unlinked = fault("remove")
            .and_then(|()| c_path(name, &mut buf))
            .and_then(|c| rustix::fs::unlinkat(at, c, AtFlags::empty()));
        if let Err(e) = unlinked {
            return fail(Step::Rename, e);
        }
        Outcome::Removed
    }

    /// Opens the existing regular file `name` in `dir`, refusing anything else.
    fn open_old(dir: BorrowedFd<'_>, name: &[u8]) -> Result<Option<Old>, Errno> {
        let kind = match type_at(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(kind) => kind,
            Err(Errno::NOENT) => return Ok(None),
            Err(e) => return Err(e),
        };
        match kind {
            S_IFREG => {}
            S_IFLNK => return Err(Errno::LOOP),
            S_IFDIR => return Err(Errno::ISDIR),
            _ => return Err(Errno::INVAL),
        }
        let fd = open_read(dir, name, OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY)?;
        let stat = rustix::fs::fstat(&fd)?;
        if stat.st_mode & S_IFMT != S_IFREG {
            return Err(Errno::INVAL); // swapped between statat and open
        }
        Ok(Some(Old { fd, mode: stat.st_mode, uid: stat.st_uid, gid: stat.st_gid, size: stat.st_size }))
    }

    /// Reads a file we merge into.
    pub fn read<'b>(&self, rel: &str, buf: &'b mut [u8]) -> Existing<'b> {
        match self.read_len(rel, buf) {
            (Existing::Regular(_), n) => Existing::Regular(buf.get(..n).unwrap_or(&[])),
            (e, _) => e,
        }
    }

    /// [`Root::read`] as what was found and how many bytes of `buf` it filled (a
    /// `Regular` file's bytes are left to the caller to slice: `buf` is not borrowed).
    pub fn read_len(&self, rel: &str, buf: &mut [u8]) -> (Existing<'static>, usize) {
        let (d, name) = split(rel);
        let dir = match self.dir(d, OFlags::PATH) {
            Ok(dir) => dir,
            Err(Errno::NOENT) => return (Existing::Missing, 0),
            Err(Errno::LOOP | Errno::NOTDIR) => return (Existing::DirRefused, 0),
            Err(_) => return (Existing::Unreadable, 0),
        };
        let found = match Self::open_old(dir.as_fd(), name) {
            Ok(None) => Existing::Missing,
            Err(Errno::LOOP) => Existing::Symlink,
            Err(Errno::ISDIR) => Existing::Directory,
            Err(Errno::INVAL) => Existing::NotRegular,
            Err(_) => Existing::Unreadable,
            Ok(Some(old)) => match read_sized(&old, buf) {
                Ok(Some(n)) => {
                    // Kept for its replacement, in the first free slot (else closed).
                    let key = osconf::conf::value::fnv1a(b"", rel.as_bytes());
                    let mut old = Some((key, old));
                    for slot in &self.read_files {
                        let taken = slot.take();
                        slot.set(taken.or_else(|| old.take()));
                    }
                    return (Existing::Regular(&[]), n);
                }
                Ok(None) => Existing::TooLarge,
                Err(_) => Existing::Unreadable,
            },
        };
        (found, 0)
    }

    /// The file `rel` as [`Root::read`] left it open, taken (once).
    fn take_read(&self, rel: &str) -> Option<Old> {
        let key = osconf::conf::value::fnv1a(b"", rel.as_bytes());
        for slot in &self.read_files {
            match slot.take() {
                Some((k, old)) if k == key => return Some(old),
                other => slot.set(other),
            }
        }
        None
    }

    /// What writing `content` to `rel` would do, without writing (`--dry-run`): the
    /// lookups of [`Root::replace`] (no directory created), then `Planned` where it writes.
    pub fn compare(&self, rel: &str, content: &[u8]) -> Outcome {
        self.update(rel, content, None)
    }

    /// Opens directory `rel`, creating missing components (mode 0755) — but never the
    /// first one: a root without `etc/` is not a root we configure (a wrong `--root`).
    fn dir_creating(&self, rel: &[u8]) -> Result<Dir<'_>, Errno> {
        // The directory is looked up once, and again after the missing ones are made (one
        // call site for both lookups).
        let mut made = false;
        loop {
            match self.dir(rel, OFlags::RDONLY) {
                Err(Errno::NOENT) if !made => made = true,
                other => return other,
            }
            // Each path that ends at a later '/' or at the end, with its parent (none
            // without a '/': the first component is never made).
            let mut parent_end = rel.iter().position(|&b| b == b'/').unwrap_or(rel.len());
            for end in parent_end + 1..=rel.len() {
                if rel.get(end).is_some_and(|&b| b != b'/') {
                    continue;
                }
                // (The ranges are in bounds: `end` goes up to the length.)
                let prefix = rel.get(..end).unwrap_or(rel);
                match self.dir(prefix, OFlags::PATH) {
                    Ok(_) => {}
                    Err(Errno::NOENT) => {
                        let parent = self.dir(rel.get(..parent_end).unwrap_or(rel), OFlags::PATH)?;
                        let comp = rel.get(parent_end + 1..end).unwrap_or(rel);
                        let mut buf = [0u8; PATH_MAX];
                        let mkdir = c_path(comp, &mut buf)
                            .and_then(|comp| rustix::fs::mkdirat(&parent, comp, Mode::from_raw_mode(0o755)));
                        match mkdir {
                            Ok(()) | Err(Errno::EXIST) => self.missing.set(Default::default()),
                            Err(e) => return Err(e),
                        }
                    }
                    Err(e) => return Err(e),
                }
                parent_end = end;
            }
        }
    }

    /// Writes `content` for `rel` into a temp file beside it, with the file's owner, mode
    /// and security attributes, to be renamed over it by [`Root::commit`] once
    /// [`Root::flush`] has put it on the disk. With `make_dirs`, missing directories below
    /// the first component are created. `Written`: the temp file holds the new content;
    /// anything else: nothing staged, and why (already up to date, left alone, failed).
    pub fn stage(&self, rel: &str, content: &[u8], new_mode: u32, make_dirs: bool) -> Outcome {
        self.update(rel, content, Some((new_mode, make_dirs)))
    }

    /// Puts every staged temp file on the disk (one `syncfs`), before any is renamed.
    pub fn flush(&self) -> Result<(), Errno> {
        fault("syncfs staged").and_then(|()| rustix::fs::syncfs(&self.fd))
    }

    /// Finishes what [`Root::stage`] began for `rel`: renames its temp file over it (from
    /// here `rel` is new), or with `discard`, removes the temp file (`rel` stays as it
    /// was; `Err(ECANCELED)`). The directory is found again (one of the kept ones, as a
    /// rule: no syscall).
    #[inline(never)]
    pub fn commit(&self, rel: &str, discard: bool) -> Result<(), Errno> {
        let (d, name) = split(rel);
        let dir = self.dir(d, OFlags::PATH)?;
        let at = dir.as_fd();
        let (mut tmp_buf, mut name_buf) = ([0u8; PATH_MAX], [0u8; PATH_MAX]);
        let tmp = c_path(&temp_name(name), &mut tmp_buf)?;
        let renamed = match discard {
            true => Err(Errno::CANCELED),
            false => fault("rename").and_then(|()| rustix::fs::renameat(at, tmp, at, c_path(name, &mut name_buf)?)),
        };
        if renamed.is_err() {
            let _ = rustix::fs::unlinkat(at, tmp, AtFlags::empty());
            return renamed;
        }
        // (After the rename the file is replaced: a fault here can only end the process.)
        // The rename reaches the disk with the caller's `sync` (one `syncfs` for all).
        fault("renamed")
    }

    /// [`Root::stage`] with `write` = (new mode, make dirs), or [`Root::compare`]
    /// without (`Planned` where it would write). (One function: the dry run's checks are
    /// the first half of a write.)
    #[inline(never)]
    fn update(&self, rel: &str, content: &[u8], write: Option<(u32, bool)>) -> Outcome {
        let (d, name) = split(rel);
        let fail = |step, e: Errno| Outcome::Failed { step, errno: e.raw_os_error() };
        // O_RDONLY, not O_PATH: a new file takes the directory's label (fgetxattr).
        let dir = match write {
            Some((_, true)) => self.dir_creating(d),
            Some(_) => self.dir(d, OFlags::RDONLY),
            None => self.dir(d, OFlags::PATH),
        };
        let dir = match dir {
            Ok(dir) => dir,
            Err(e) => return dir_refusal(e),
        };
        // Each fd borrowed once (`OwnedFd::as_fd` is a call with a check each time).
        let at = dir.as_fd();
        // The file as `read` left it open, else looked up now.
        let old = match self.take_read(rel).map_or_else(|| Self::open_old(at, name), |old| Ok(Some(old))) {
            Ok(old) => old,
            Err(e) => return refusal(e),
        };
        if let Some(old) = &old {
            if same(old, content) {
                return Outcome::Unchanged;
            }
        }
        let Some((new_mode, _)) = write else { return Outcome::Planned };
        let mut tmp_buf = [0u8; PATH_MAX];
        let tmp = match c_path(&temp_name(name), &mut tmp_buf) {
            Ok(tmp) => tmp,
            Err(e) => return fail(Step::Create, e),
        };
        // The temp file starts with the final mode when no owner change follows (umask is
        // 0, see main); else 0600 until `fill` has set owner and mode.
        let mode = match &old {
            Some(o) if (o.uid, o.gid) != (0, 0) || o.mode & 0o7000 != 0 => 0o600,
            Some(o) => o.mode & 0o777,
            None => new_mode,
        };
        let create = || {
            rustix::fs::openat(
                at,
                tmp,
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::from_raw_mode(mode),
            )
        };
        // A leftover from an interrupted run is ours (by its name): removed, then again.
        let fd = match fault("create").and_then(|()| create()).or_else(|e| match e {
            Errno::EXIST => rustix::fs::unlinkat(at, tmp, AtFlags::empty()).and_then(|()| create()),
            e => Err(e),
        }) {
            Ok(fd) => fd,
            Err(e) => return fail(Step::Create, e),
        };
        let filled = fill(at, fd.as_fd(), content, old.as_ref());
        drop(fd);
        if let Err((step, e)) = filled {
            let _ = rustix::fs::unlinkat(at, tmp, AtFlags::empty());
            return fail(step, e);
        }
        Outcome::Written { created: old.is_none() }
    }
}

/// What an error opening a file's directory means: a symlink the lookup refuses, or a
/// non-directory, on the path is left to its owner; anything else is a failure.
fn dir_refusal(e: Errno) -> Outcome {
    match e {
        Errno::LOOP | Errno::NOTDIR => Outcome::LeftAlone(Skip::DirRefused),
        e => Outcome::Failed { step: Step::Directory, errno: e.raw_os_error() },
    }
}

/// What an error opening the existing file means: a symlink or a non-regular file is
/// left to its owner; anything else is a failure.
fn refusal(e: Errno) -> Outcome {
    match e {
        Errno::LOOP => Outcome::LeftAlone(Skip::Symlink),
        Errno::ISDIR | Errno::INVAL => Outcome::LeftAlone(Skip::NotRegular),
        e => Outcome::Failed { step: Step::Existing, errno: e.raw_os_error() },
    }
}

/// Reads the old file's `st_size` bytes (`None`: more than `buf` holds). The size from
/// `fstat` is trusted, which saves the read that would only see the end of the file:
/// nothing else runs in the initramfs to change a file of the root meanwhile.
fn read_sized(old: &Old, buf: &mut [u8]) -> Result<Option<usize>, Errno> {
    let Some(want) = usize::try_from(old.size).ok().filter(|&n| n <= buf.len()) else { return Ok(None) };
    let mut n = 0;
    let fd = old.fd.as_fd();
    while n < want {
        match crate::os::file::read_retry(fd, buf.get_mut(n..want).unwrap_or(&mut []))? {
            0 => break,
            k => n += k,
        }
    }
    Ok(Some(n))
}

/// Whether the old file already holds exactly `content`.
fn same(old: &Old, content: &[u8]) -> bool {
    if u64::try_from(content.len()).ok() != u64::try_from(old.size).ok() {
        return false;
    }
    let mut buf = [0u8; 4096];
    let same = same_bytes(old, content, &mut buf);
    // The old file may be /etc/shadow, holding the hash: wiped once compared.
    osconf::text::zero(&mut buf);
    same
}

fn same_bytes(old: &Old, content: &[u8], buf: &mut [u8; 4096]) -> bool {
    let mut off = 0usize;
    // The sizes are equal: comparing up to that size is enough.
    while off < content.len() {
        match rustix::io::pread(&old.fd, &mut *buf, off as u64) {
            Ok(0) => return off == content.len(),
            Ok(n) => {
                let Some(chunk) = buf.get(..n) else { return false };
                if content.get(off..off + n) != Some(chunk) {
                    return false;
                }
                off += n;
            }
            Err(Errno::INTR) => {}
            Err(_) => return false,
        }
    }
    true
}

/// Writes the temp file: content, owner and mode (when not created with them), security
/// attributes. (Its `fsync` is the one `syncfs` of [`Root::flush`].)
fn fill(dir: BorrowedFd<'_>, fd: BorrowedFd<'_>, content: &[u8], old: Option<&Old>) -> Result<(), (Step, Errno)> {
    fault("write").and_then(|()| write_all(fd, content)).map_err(|e| (Step::Write, e))?;
    match old {
        Some(old) => {
            let (uid, gid, mode) = (old.uid, old.gid, old.mode & 0o7777);
            if (uid, gid) != (0, 0) || mode & 0o7000 != 0 {
                // chown first: it clears set-id bits that fchmod then restores.
                let owner = (Some(rustix::fs::Uid::from_raw(uid)), Some(rustix::fs::Gid::from_raw(gid)));
                rustix::fs::fchown(fd, owner.0, owner.1).map_err(|e| (Step::Owner, e))?;
                rustix::fs::fchmod(fd, Mode::from_raw_mode(mode)).map_err(|e| (Step::Owner, e))?;
            }
            copy_security(old.fd.as_fd(), fd, true);
        }
        None => copy_security(dir, fd, false),
    }
    Ok(())
}

const SELINUX: &str = "security.selinux\0";

/// Copies the `security.*` attributes of the old file (SELinux label, IMA/EVM,
/// capabilities), or only `security.selinux` from the directory for a new file (the
/// label the file would get there from a running policy's default). Unsupported or
/// refused attributes are skipped: the write goes on.
/// (Borrowed fds and out of line: one copy for both callers.)
#[inline(never)]
fn copy_security(from: BorrowedFd<'_>, to: BorrowedFd<'_>, all: bool) {
    let mut names = [0u8; 1024];
    let list: &[u8] = match all {
        true => match rustix::fs::flistxattr(from, &mut names[..]) {
            Ok(n) => names.get(..n).unwrap_or(&[]),
            Err(_) => return,
        },
        false => SELINUX.as_bytes(),
    };
    let mut rest = list;
    while let Some(end) = rest.iter().position(|&b| b == 0) {
        let Some(name) = rest.get(..=end).and_then(c_str) else { break };
        rest = rest.get(end + 1..).unwrap_or(&[]);
        if !name.to_bytes().starts_with(const { osconf::text::within(SELINUX, "security.").as_bytes() }) {
            continue;
        }
        let mut value = [0u8; 256];
        if let Ok(n) = rustix::fs::fgetxattr(from, name, &mut value[..]) {
            if let Some(v) = value.get(..n) {
                let _ = rustix::fs::fsetxattr(to, name, v, XattrFlags::empty());
            }
        }
    }
}

/// Mount flags of the root to keep across a remount. `statvfs` reports them as `ST_*`,
/// whose values are the `MS_*` ones for nosuid, nodev, noexec, synchronous, mandlock,
/// noatime and nodiratime, but not for relatime.
fn kept_flags(st: rustix::fs::StatVfsMountFlags) -> rustix::mount::MountFlags {
    use rustix::fs::StatVfsMountFlags as St;
    use rustix::mount::MountFlags as Ms;
    let same = st.bits() as u32
        & (Ms::NOSUID | Ms::NODEV | Ms::NOEXEC | Ms::SYNCHRONOUS | Ms::NOATIME | Ms::NODIRATIME).bits();
    let relatime = if st.contains(St::RELATIME) { Ms::RELATIME } else { Ms::empty() };
    Ms::from_bits_retain(same) | relatime
}

/// A root that was read-only and has been remounted read-write for the run.
pub struct Remounted {
    flags: rustix::mount::MountFlags,
}

impl Root {
    /// Remounts the read-only root at `path` read-write, keeping its other mount flags.
    /// `Ok(None)`: it was writable already, nothing done.
    pub fn remount_rw(&self, path: &[u8]) -> Result<Option<Remounted>, Errno> {
        let st = rustix::fs::fstatvfs(&self.fd)?;
        if !st.f_flag.contains(rustix::fs::StatVfsMountFlags::RDONLY) {
            return Ok(None);
        }
        let flags = kept_flags(st.f_flag);
        remount(path, flags)?;
        Ok(Some(Remounted { flags }))
    }

    /// `syncfs`: every replacement (its rename) on the disk.
    pub fn sync(&self) {
        if fault("syncfs").is_ok() {
            let _ = rustix::fs::syncfs(&self.fd);
        }
    }

    /// Flushes the root and puts it back to read-only with its other flags.
    pub fn remount_ro(&self, path: &[u8], r: Remounted) -> Result<(), Errno> {
        self.sync();
        remount(path, r.flags | rustix::mount::MountFlags::RDONLY)
    }
}

/// `mount(NULL, path, NULL, MS_REMOUNT | flags, "")`.
fn remount(path: &[u8], flags: rustix::mount::MountFlags) -> Result<(), Errno> {
    let mut buf = [0u8; PATH_MAX];
    rustix::mount::mount_remount(c_path(path, &mut buf)?, flags, c"")
}
