//! Hand-built images for the hostile cases, and real images made by `xorriso` at test
//! time (xorriso must be installed: the tests fail, not skip, without it).

use super::*;
use std::vec::Vec;

// ---------------------------------------------------------------------------------------
// A sector device over memory, counting reads.

struct Mem {
    data: Vec<u8>,
    reads: usize,
}

impl Mem {
    fn new(data: Vec<u8>) -> Self {
        Mem { data, reads: 0 }
    }
}

impl Sectors for Mem {
    fn read_sector(&mut self, lba: u32, buf: &mut [u8; SECTOR]) -> Result<(), IoError> {
        self.reads += 1;
        let start = lba as usize * SECTOR;
        let src = self.data.get(start..start + SECTOR).ok_or(IoError)?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Hand-built images. Layout: 16 PVD, 17 SVD or terminator, 18 terminator, 20 root
// directory, 21 qcloud_action, 22 os.conf data, 23.. spare (continuation areas).

const ROOT: u32 = 20;
const SUB: u32 = 21;
const DATA: u32 = 22;
const SPARE: u32 = 23;
const CONTENT: &[u8] = b"hostname=vm1\ndns_nameserver=\"10.0.0.2\"\n";
const DIR: u8 = 2;

fn both32(v: u32) -> [u8; 8] {
    let mut b = [0u8; 8];
    b[..4].copy_from_slice(&v.to_le_bytes());
    b[4..].copy_from_slice(&v.to_be_bytes());
    b
}

/// A directory record (ECMA-119 §9.1).
fn rec(lba: u32, size: u32, flags: u8, name: &[u8], su: &[u8]) -> Vec<u8> {
    let pad = (name.len() + 1) % 2;
    let len = 33 + name.len() + pad + su.len();
    assert!(len <= 255, "test record too long");
    let mut r = vec![0u8; len];
    r[0] = len as u8;
    r[2..10].copy_from_slice(&both32(lba));
    r[10..18].copy_from_slice(&both32(size));
    r[25] = flags;
    r[28] = 1;
    r[31] = 1;
    r[32] = name.len() as u8;
    r[33..33 + name.len()].copy_from_slice(name);
    r[33 + name.len() + pad..].copy_from_slice(su);
    r
}

const SP: &[u8] = &[b'S', b'P', 7, 1, 0xBE, 0xEF, 0];

fn nm(flags: u8, piece: &[u8]) -> Vec<u8> {
    let mut e = vec![b'N', b'M', 5 + piece.len() as u8, 1, flags];
    e.extend_from_slice(piece);
    e
}

fn ce(block: u32, offset: u32, len: u32) -> Vec<u8> {
    let mut e = vec![b'C', b'E', 28, 1];
    e.extend_from_slice(&both32(block));
    e.extend_from_slice(&both32(offset));
    e.extend_from_slice(&both32(len));
    e
}

fn ucs2(s: &[u8], width: usize) -> Vec<u8> {
    let mut v: Vec<u8> = s.iter().flat_map(|&b| [0, b]).collect();
    while v.len() < width {
        v.extend_from_slice(&[0, b' ']);
    }
    v
}

struct Img(Vec<u8>);

impl Img {
    fn put(&mut self, lba: u32, off: usize, bytes: &[u8]) {
        let at = lba as usize * SECTOR + off;
        if self.0.len() < at + bytes.len() {
            self.0.resize(at + bytes.len(), 0);
        }
        self.0[at..at + bytes.len()].copy_from_slice(bytes);
    }

    /// A volume descriptor of `kind` at `lba` with the given root record and label.
    fn descriptor(&mut self, lba: u32, kind: u8, label: &[u8], root: &[u8], esc: &[u8]) {
        let mut s = vec![0u8; SECTOR];
        s[0] = kind;
        s[1..6].copy_from_slice(b"CD001");
        s[6] = 1;
        s[40..72].fill(b' ');
        s[40..40 + label.len()].copy_from_slice(label);
        s[88..88 + esc.len()].copy_from_slice(esc);
        s[128..130].copy_from_slice(&2048u16.to_le_bytes());
        s[130..132].copy_from_slice(&2048u16.to_be_bytes());
        s[156..156 + root.len()].copy_from_slice(root);
        self.put(lba, 0, &s);
    }

    /// Packs records into sectors from `lba` on, never across a sector boundary.
    /// Returns the directory's data length.
    fn dir(&mut self, lba: u32, recs: &[Vec<u8>]) -> u32 {
        let (mut sector, mut off) = (lba, 0);
        for r in recs {
            if off + r.len() > SECTOR {
                sector += 1;
                off = 0;
            }
            self.put(sector, off, r);
            off += r.len();
        }
        self.put(sector, SECTOR - 1, &[0]);
        (sector - lba + 1) * SECTOR as u32
    }
}

/// A volume with PVD root at ROOT (one sector) and a terminator; root "." has SP when
/// `rr`. `root` and `sub` are the records after "." and "..".
fn image(rr: bool, root: &[Vec<u8>], sub: &[Vec<u8>]) -> Img {
    let mut img = Img(vec![0u8; 30 * SECTOR]);
    let root_rec = rec(ROOT, SECTOR as u32, DIR, &[0], &[]);
    img.descriptor(16, 1, b"config-2", &root_rec, &[]);
    img.descriptor(17, 255, b"", &[], &[]);
    let dot_su: &[u8] = if rr { SP } else { &[] };
    let mut recs = vec![rec(ROOT, SECTOR as u32, DIR, &[0], dot_su), rec(ROOT, SECTOR as u32, DIR, &[1], &[])];
    recs.extend_from_slice(root);
    img.dir(ROOT, &recs);
    let mut recs = vec![rec(SUB, SECTOR as u32, DIR, &[0], &[]), rec(ROOT, SECTOR as u32, DIR, &[1], &[])];
    recs.extend_from_slice(sub);
    img.dir(SUB, &recs);
    img.put(DATA, 0, CONTENT);
    img
}

fn qdir_rr() -> Vec<u8> {
    rec(SUB, SECTOR as u32, DIR, b"QCLOUD_ACTION", &nm(0, b"qcloud_action"))
}

fn conf_rr() -> Vec<u8> {
    rec(DATA, CONTENT.len() as u32, 0, b"OS.CONF;1", &nm(0, b"os.conf"))
}

/// probe + find_os_conf + read on a hand-built image.
fn lookup_conf(img: &Img) -> Result<(FileRef, &'static str, Vec<u8>), IsoError> {
    let mut dev = Mem::new(img.0.clone());
    let vol = Volume::probe(&mut dev)?;
    let (f, path) = find_os_conf(&mut dev, &vol)?;
    let mut out = [0u8; 4096];
    let n = read(&mut dev, f, &mut out)?;
    Ok((f, path, out[..n].to_vec()))
}

#[test]
fn handmade_rock_ridge_image_reads_back() {
    let img = image(true, &[qdir_rr()], &[conf_rr()]);
    let (f, path, bytes) = lookup_conf(&img).unwrap();
    assert_eq!(f.how, NameKind::RockRidge);
    assert_eq!(path, "qcloud_action/os.conf");
    assert_eq!(bytes, CONTENT);
    let vol = Volume::probe(&mut Mem::new(img.0)).unwrap();
    assert!(vol.has_rock_ridge() && !vol.has_joliet());
    assert_eq!(vol.label(), b"config-2");
    assert!(vol.is_config_drive());
}

#[test]
fn not_iso_and_short_image() {
    assert_eq!(Volume::probe(&mut Mem::new(vec![0; 40 * SECTOR])), Err(IsoError::NotIso));
    assert_eq!(Volume::probe(&mut Mem::new(vec![0; 10 * SECTOR])), Err(IsoError::Io));
    // "CD001" but type 2 at sector 16: still not a primary descriptor.
    let mut img = image(false, &[], &[]);
    img.0[16 * SECTOR] = 2;
    assert_eq!(Volume::probe(&mut Mem::new(img.0)), Err(IsoError::NotIso));
}

#[test]
fn bad_primary_descriptor() {
    let root = rec(ROOT, SECTOR as u32, DIR, &[0], &[]);
    type Spoil = fn(&mut Vec<u8>);
    let cases: [(&str, Spoil); 4] = [
        ("block size 512", |s| s[128..130].copy_from_slice(&512u16.to_le_bytes())),
        ("root record is a file", |s| s[156 + 25] = 0),
        ("root record name length 0", |s| s[156 + 32] = 0),
        ("root record length 20", |s| s[156] = 20),
    ];
    for (what, spoil) in cases {
        let mut img = image(false, &[], &[]);
        let mut s = img.0[16 * SECTOR..17 * SECTOR].to_vec();
        s[156..156 + root.len()].copy_from_slice(&root);
        spoil(&mut s);
        img.put(16, 0, &s);
        assert_eq!(Volume::probe(&mut Mem::new(img.0)), Err(IsoError::BadDescriptor), "case {what}");
    }
}

#[test]
fn descriptor_scan_is_bounded() {
    // No terminator: 60 primary descriptors in a row, the root directory after them.
    let mut big = Img(vec![0; 100 * SECTOR]);
    let root = rec(90, SECTOR as u32, DIR, &[0], &[]);
    for lba in 16..76 {
        big.descriptor(lba, 1, b"config-2", &root, &[]);
    }
    big.dir(90, &[root.clone(), rec(90, SECTOR as u32, DIR, &[1], &[])]);
    let mut dev = Mem::new(big.0);
    assert!(Volume::probe(&mut dev).is_ok());
    let most = crate::limits::MAX_VOLUME_DESCRIPTORS as usize + 1;
    assert!(dev.reads <= most, "{} reads", dev.reads);
    // A sector without "CD001" ends the sequence too.
    let mut img = image(true, &[qdir_rr()], &[conf_rr()]);
    img.put(17, 0, &[0u8; SECTOR]);
    let (f, _, bytes) = lookup_conf(&img).unwrap();
    assert_eq!((f.how, bytes.as_slice()), (NameKind::RockRidge, CONTENT));
}

#[test]
fn truncated_image_is_an_io_error() {
    let img = image(true, &[qdir_rr()], &[conf_rr()]);
    // Cut after the root directory: the subdirectory is past the end.
    let cut = Img(img.0[..(ROOT as usize + 1) * SECTOR].to_vec());
    assert_eq!(lookup_conf(&cut).map(|_| ()), Err(IsoError::Io));
    // Cut after the subdirectory: the file data is past the end.
    let cut = Img(img.0[..(SUB as usize + 1) * SECTOR].to_vec());
    assert_eq!(lookup_conf(&cut).map(|_| ()), Err(IsoError::Io));
    // Cut before the root directory: probe cannot check for Rock Ridge.
    let cut = Img(img.0[..ROOT as usize * SECTOR].to_vec());
    assert_eq!(lookup_conf(&cut).map(|_| ()), Err(IsoError::Io));
}

#[test]
fn bad_record_lengths_are_errors() {
    // Each case writes raw bytes into the root directory right after "." and "..".
    let good = rec(SUB, SECTOR as u32, DIR, b"QCLOUD_ACTION", &[]);
    let mut short = good.clone();
    short[0] = 20;
    let mut name_past_end = good.clone();
    name_past_end[32] = 200;
    let mut zero_name = good.clone();
    zero_name[32] = 0;
    // 54 records of 36 bytes fill up to offset 2012; the 46-byte one would end at 2058.
    let mut crossing: Vec<u8> = (0..54).flat_map(|_| rec(DATA, 1, 0, b"P;1", &[])).collect();
    crossing.extend_from_slice(&good[..36]);
    let cases: [(&str, Vec<u8>); 4] = [
        ("record length 20", short),
        ("name length past the record", name_past_end),
        ("name length 0", zero_name),
        ("record crosses the sector end", crossing),
    ];
    for (what, raw) in cases {
        let mut img = image(false, &[], &[conf_rr()]);
        img.put(ROOT, 68, &raw);
        assert_eq!(img.0.len(), 30 * SECTOR, "case {what} overflowed the sector");
        assert_eq!(lookup_conf(&img).map(|_| ()), Err(IsoError::BadDirectory), "case {what}");
    }
}

#[test]
fn record_past_the_directory_length_is_an_error() {
    // Root data length 100: "." and ".." fit (68 bytes), the next record does not.
    let mut img = image(false, &[qdir_rr()], &[conf_rr()]);
    let root_rec = rec(ROOT, 100, DIR, &[0], &[]);
    img.put(16, 156, &root_rec);
    assert_eq!(lookup_conf(&img).map(|_| ()), Err(IsoError::BadDirectory));
    // Length 68: the directory ends after "..", so the record is simply not there.
    img.put(16, 156, &rec(ROOT, 68, DIR, &[0], &[]));
    assert_eq!(lookup_conf(&img).map(|_| ()), Err(IsoError::NotFound));
}

#[test]
fn zero_length_byte_skips_to_the_next_sector() {
    // Root at SPARE, 3 sectors: "." and ".." then padding; an empty sector; the entry.
    let mut img = image(false, &[], &[conf_rr()]);
    let dot = rec(SPARE, 3 * SECTOR as u32, DIR, &[0], &[]);
    img.put(16, 156, &dot);
    img.dir(SPARE, &[dot.clone(), rec(SPARE, 3 * SECTOR as u32, DIR, &[1], &[])]);
    img.dir(SPARE + 2, &[rec(SUB, SECTOR as u32, DIR, b"QCLOUD_ACTION", &[])]);
    let (f, _, bytes) = lookup_conf(&img).unwrap();
    assert_eq!((f.how, bytes.as_slice()), (NameKind::Plain, CONTENT));
}

#[test]
fn huge_and_overflowing_extents() {
    let cases: [(&str, Vec<u8>, Vec<u8>, IsoError); 4] = [
        (
            "directory of 4 GiB",
            rec(SUB, 0xFFFF_F000, DIR, b"QCLOUD_ACTION", &[]),
            conf_rr(),
            IsoError::DirectoryTooLarge,
        ),
        (
            "directory extent wraps the sector space",
            rec(u32::MAX - 1, 4 * SECTOR as u32, DIR, b"QCLOUD_ACTION", &[]),
            conf_rr(),
            IsoError::BadDirectory,
        ),
        (
            "file extent wraps the sector space",
            rec(SUB, SECTOR as u32, DIR, b"QCLOUD_ACTION", &[]),
            rec(u32::MAX, 3 * SECTOR as u32, 0, b"OS.CONF;1", &[]),
            IsoError::BadDirectory,
        ),
        (
            "file of 4 GiB",
            rec(SUB, SECTOR as u32, DIR, b"QCLOUD_ACTION", &[]),
            rec(DATA, u32::MAX, 0, b"OS.CONF;1", &[]),
            IsoError::TooLarge,
        ),
    ];
    for (what, q, f, want) in cases {
        let img = image(false, &[q], &[f]);
        assert_eq!(lookup_conf(&img).map(|_| ()), Err(want), "case {what}");
    }
}

#[test]
fn multi_extent_and_interleaved_files_are_refused() {
    let q = rec(SUB, SECTOR as u32, DIR, b"QCLOUD_ACTION", &[]);
    let multi = rec(DATA, 4, 0x80, b"OS.CONF;1", &[]);
    let rest = rec(DATA + 1, 4, 0, b"OS.CONF;1", &[]);
    let img = image(false, core::slice::from_ref(&q), &[multi, rest]);
    assert_eq!(lookup_conf(&img).map(|_| ()), Err(IsoError::MultiExtent));
    let mut inter = rec(DATA, 4, 0, b"OS.CONF;1", &[]);
    inter[26] = 1;
    inter[27] = 1;
    let img = image(false, &[q], &[inter]);
    assert_eq!(lookup_conf(&img).map(|_| ()), Err(IsoError::Interleaved));
}

#[test]
fn wrong_kinds() {
    // os.conf is a directory.
    let img = image(true, &[qdir_rr()], &[rec(DATA, SECTOR as u32, DIR, b"OS.CONF", &nm(0, b"os.conf"))]);
    assert_eq!(lookup_conf(&img).map(|_| ()), Err(IsoError::NotAFile));
    // qcloud_action is a file (and os_action absent).
    let img = image(true, &[rec(DATA, 4, 0, b"QCLOUD_ACTION;1", &nm(0, b"qcloud_action"))], &[]);
    assert_eq!(lookup_conf(&img).map(|_| ()), Err(IsoError::NotADirectory));
    // A file and a directory of the same name: the directory is taken.
    let img = image(true, &[rec(DATA, 4, 0, b"QCLOUD_ACTION;1", &nm(0, b"qcloud_action")), qdir_rr()], &[conf_rr()]);
    assert_eq!(lookup_conf(&img).unwrap().2, CONTENT);
    // An empty path is the root, a directory.
    let img = image(true, &[], &[]);
    let mut dev = Mem::new(img.0);
    let vol = Volume::probe(&mut dev).unwrap();
    assert_eq!(find(&mut dev, &vol, &[]), Err(IsoError::NotAFile));
}

#[test]
fn nm_split_across_entries_and_continuation_area() {
    // "qcloud_" + CE → "act" (CONTINUE) + "ion" in the continuation area at SPARE:100.
    let mut tail = nm(1, b"act");
    tail.extend(nm(0, b"ion"));
    let mut su = nm(1, b"qcl");
    su.extend(nm(1, b"oud_"));
    su.extend(ce(SPARE, 100, tail.len() as u32));
    let q = rec(SUB, SECTOR as u32, DIR, b"QCLOUD00", &su);
    let mut img = image(true, &[q], &[conf_rr()]);
    img.put(SPARE, 100, &tail);
    let (f, path, bytes) = lookup_conf(&img).unwrap();
    assert_eq!((f.how, path, bytes.as_slice()), (NameKind::RockRidge, "qcloud_action/os.conf", CONTENT));
}

#[test]
fn hostile_continuation_areas() {
    let ce_case = |su: Vec<u8>, spare: &[u8]| {
        let q = rec(SUB, SECTOR as u32, DIR, b"QCLOUD00", &su);
        let mut img = image(true, &[q], &[conf_rr()]);
        img.put(SPARE, 0, spare);
        let mut dev = Mem::new(img.0);
        let vol = Volume::probe(&mut dev).unwrap();
        let got = find_os_conf(&mut dev, &vol).map(|_| ());
        (got, dev.reads)
    };
    let with_ce = |ce_entry: Vec<u8>| {
        let mut su = nm(1, b"qcloud_");
        su.extend(ce_entry);
        su
    };
    // Past the end of the image.
    assert_eq!(ce_case(with_ce(ce(1_000_000, 0, 10)), &[]).0, Err(IsoError::Io));
    // Past the end of its sector.
    assert_eq!(ce_case(with_ce(ce(SPARE, 2000, 100)), &[]).0, Err(IsoError::BadRockRidge));
    assert_eq!(ce_case(with_ce(ce(SPARE, u32::MAX, 2)), &[]).0, Err(IsoError::BadRockRidge));
    // A loop: the area continues the name and points back at itself.
    let mut looping = nm(1, b"x");
    looping.extend(ce(SPARE, 0, 6 + 28));
    let (got, reads) = ce_case(with_ce(ce(SPARE, 0, 6 + 28)), &looping);
    assert_eq!(got, Err(IsoError::BadRockRidge));
    assert!(reads < 30, "{reads} reads");
    // A name whose last piece never comes is not a name: with no plain match either,
    // nothing is found (never "qcloud_" + whatever).
    assert_eq!(ce_case(nm(1, b"qcloud_action"), &[]).0, Err(IsoError::NotFound));
    // A name longer than NAME_MAX is not a name; one of exactly NAME_MAX is.
    let mut dev = Mem::new(Vec::new());
    let (mut scratch, mut out) = ([0u8; SECTOR], [0u8; NAME_MAX]);
    let mut su = nm(1, &[b'a'; 100]);
    su.extend(nm(1, &[b'a'; 100]));
    su.extend(nm(0, &[b'a'; 56]));
    assert_eq!(susp::rr_name(&mut dev, &su, 0, &mut scratch, &mut out), Ok(None));
    su.truncate(su.len() - 1);
    su[210 + 2] -= 1;
    assert_eq!(susp::rr_name(&mut dev, &su, 0, &mut scratch, &mut out), Ok(Some(NAME_MAX)));
    // LEN_SKP bytes are skipped before the entries.
    let mut su = vec![0xAA; 3];
    su.extend(nm(0, b"x"));
    assert_eq!(susp::rr_name(&mut dev, &su, 3, &mut scratch, &mut out), Ok(Some(1)));
    // Garbage lengths end the area; the plain name still works.
    let q = rec(SUB, SECTOR as u32, DIR, b"QCLOUD_ACTION", &[b'N', b'M', 200, 1, 0, b'x']);
    let (f, _, bytes) = lookup_conf(&image(true, &[q], &[conf_rr()])).unwrap();
    assert_eq!((f.how, bytes.as_slice()), (NameKind::Plain, CONTENT));
}

#[test]
fn rock_ridge_names_are_case_sensitive_plain_names_are_not() {
    let q = rec(SUB, SECTOR as u32, DIR, b"QCLOUD_ACTION", &nm(0, b"QCloud_Action"));
    let (f, _, bytes) = lookup_conf(&image(true, &[q], &[conf_rr()])).unwrap();
    assert_eq!((f.how, bytes.as_slice()), (NameKind::Plain, CONTENT));
}

#[test]
fn typo_directory_is_the_second_choice() {
    let os_action = rec(SUB, SECTOR as u32, DIR, b"OS_ACTION", &nm(0, b"os_action"));
    let (_, path, bytes) = lookup_conf(&image(true, core::slice::from_ref(&os_action), &[conf_rr()])).unwrap();
    assert_eq!((path, bytes.as_slice()), ("os_action/os.conf", CONTENT));
    // Both present: qcloud_action wins (its os.conf is at SPARE).
    let q = rec(SPARE, SECTOR as u32, DIR, b"QCLOUD_ACTION", &nm(0, b"qcloud_action"));
    let mut img = image(true, &[os_action, q], &[conf_rr()]);
    img.dir(SPARE, &[rec(DATA + 7, 3, 0, b"OS.CONF;1", &nm(0, b"os.conf"))]);
    img.put(DATA + 7, 0, b"new");
    let (_, path, bytes) = lookup_conf(&img).unwrap();
    assert_eq!((path, bytes.as_slice()), ("qcloud_action/os.conf", &b"new"[..]));
}

#[test]
fn joliet_descriptor_label_and_tree() {
    // PVD labelled CDROM; Joliet SVD at 17 labelled config-2 with its own tree at SPARE.
    let mut img = image(false, &[], &[]);
    img.put(16, 40, b"CDROM                           ");
    let jroot = rec(SPARE, SECTOR as u32, DIR, &[0], &[]);
    img.descriptor(17, 2, &ucs2(b"config-2", 32), &jroot, b"%/E");
    img.descriptor(18, 255, b"", &[], &[]);
    img.dir(
        SPARE,
        &[
            jroot.clone(),
            rec(SPARE, SECTOR as u32, DIR, &[1], &[]),
            rec(SPARE + 1, SECTOR as u32, DIR, &ucs2(b"QCloud_Action", 0), &[]),
        ],
    );
    img.dir(SPARE + 1, &[rec(DATA, CONTENT.len() as u32, 0, &ucs2(b"os.conf;1", 0), &[])]);
    let mut dev = Mem::new(img.0.clone());
    let vol = Volume::probe(&mut dev).unwrap();
    assert_eq!((vol.label(), vol.joliet_label()), (&b"CDROM"[..], &b"config-2"[..]));
    assert!(vol.is_config_drive() && vol.has_joliet() && !vol.has_rock_ridge());
    let (f, _, bytes) = lookup_conf(&img).unwrap();
    assert_eq!((f.how, bytes.as_slice()), (NameKind::Joliet, CONTENT));
    // A non-ASCII Joliet label is no label.
    img.put(17, 40, &[0x04, 0x1a]);
    let vol = Volume::probe(&mut Mem::new(img.0.clone())).unwrap();
    assert_eq!(vol.joliet_label(), b"");
    assert!(!vol.is_config_drive());
    // A Joliet SVD with a broken root record is a bad descriptor.
    img.put(17, 156, &[0u8; 34]);
    assert_eq!(Volume::probe(&mut Mem::new(img.0)), Err(IsoError::BadDescriptor));
}

#[test]
fn name_comparisons() {
    let plain: [(&[u8], &[u8], bool); 8] = [
        (b"OS.CONF;1", b"os.conf", true),
        (b"OS.CONF", b"os.conf", true),
        (b"README.;1", b"README", true),
        (b"README.;1", b"readme.", true),
        (b"QCLOUD_ACTION", b"qcloud_action", true),
        (b"OS.CONF;X", b"os.conf", false),
        (b"OS.CONF;1", b"os.con", false),
        (b"OS.CON;1", b"os.conf", false),
    ];
    for (name, want, eq) in plain {
        assert_eq!(dir::plain_eq(name, want), eq, "plain {name:?} {want:?}");
    }
    let joliet: [(&[u8], &[u8], bool); 6] = [
        (b"os.conf;1", b"os.conf", true),
        (b"OS.Conf", b"os.conf", true),
        (b"os.conf;12", b"os.conf", true),
        (b"os.conf;", b"os.conf", false),
        (b"os.conf", b"os.con", false),
        (b";1", b"", true),
    ];
    for (name, want, eq) in joliet {
        assert_eq!(joliet::name_eq(&ucs2(name, 0), want), eq, "joliet {name:?} {want:?}");
    }
    assert!(!joliet::name_eq(&[0x01, b'o', 0, b's'], b"os"));
    assert!(!joliet::name_eq(&[0, b'o', 0], b"o"));
    // (record name, wanted, wanted is a file, match)
    let level1: [(&[u8], &[u8], bool, bool); 8] = [
        (b"QCLOUD_A", b"qcloud_action", false, true),
        (b"OS.CON;1", b"os.conf", true, true),
        (b"OS_ACTIO", b"os_action", false, true),
        (b"A_B.C;1", b"a.b.c", true, true),
        (b"README.;1", b"readme", true, true),
        (b"ABCDEFGH.CON;1", b"abcdefghijklm.conf", true, true),
        (b"QCLOUD_A", b"qcloud_a", false, true),
        (b"OS.CON;1", b"os.conf", false, false),
    ];
    for (name, want, is_file, eq) in level1 {
        assert_eq!(dir::level1_eq(name, want, is_file), eq, "level1 {name:?} {want:?}");
    }
    let shapes: [(&[u8], bool, bool); 6] = [
        (b"QCLOUD_A", true, true),
        (b"QCLOUD_ACTION", true, false),
        (b"OS.CON;1", false, true),
        (b"OS.CONF;1", false, false),
        (b"README.;1", false, true),
        (b"os.con;1", false, false),
    ];
    for (name, is_dir, want) in shapes {
        assert_eq!(dir::is_8_3(name, is_dir), want, "8.3 {name:?}");
    }
}

#[test]
fn read_sizes() {
    let mut data = vec![0u8; 30 * SECTOR];
    for (i, b) in data.iter_mut().enumerate() {
        *b = (i % 251) as u8;
    }
    let mut dev = Mem::new(data.clone());
    let file = |size| FileRef { lba: 3, size, how: NameKind::Plain };
    let mut out = vec![0u8; 2 * SECTOR + 1];
    assert_eq!(read(&mut dev, file(0), &mut out), Ok(0));
    assert_eq!(dev.reads, 0);
    let n = 2 * SECTOR + 1;
    assert_eq!(read(&mut dev, file(n as u32), &mut out), Ok(n));
    assert_eq!(out, &data[3 * SECTOR..3 * SECTOR + n]);
    assert_eq!(read(&mut dev, file(n as u32 + 1), &mut out), Err(IsoError::TooLarge));
    let past = FileRef { lba: 29, size: 2 * SECTOR as u32, how: NameKind::Plain };
    assert_eq!(read(&mut dev, past, &mut out), Err(IsoError::Io));
}

#[test]
fn every_error_has_a_reason() {
    use IsoError::*;
    let all = [
        Io,
        NotIso,
        BadDescriptor,
        BadDirectory,
        DirectoryTooLarge,
        BadRockRidge,
        NotFound,
        NotFoundLevel1,
        NotAFile,
        NotADirectory,
        MultiExtent,
        Interleaved,
        TooLarge,
    ];
    for e in all {
        assert!(!e.reason().is_empty() && e.reason().is_ascii(), "{e:?}");
    }
    assert_eq!(NotIso.reason(), "no ISO9660 volume descriptor at sector 16");
}

/// Random byte damage in the descriptors, directories and continuation areas: every
/// outcome is a value, never a panic or a hang.
fn mutate_and_run(seed_image: &[u8], sectors: core::ops::Range<usize>, rounds: usize) {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let span = sectors.len() * SECTOR;
    for _ in 0..rounds {
        let mut data = seed_image.to_vec();
        for _ in 0..1 + rnd() % 8 {
            let at = sectors.start * SECTOR + (rnd() as usize % span);
            data[at] = match rnd() % 4 {
                0 => 0,
                1 => 0xFF,
                _ => rnd() as u8,
            };
        }
        let mut dev = Mem::new(data);
        if let Ok(vol) = Volume::probe(&mut dev) {
            let _ = vol.is_config_drive();
            if let Ok((f, _)) = find_os_conf(&mut dev, &vol) {
                let mut out = [0u8; 4096];
                let _ = read(&mut dev, f, &mut out);
            }
        }
    }
}

#[test]
fn damaged_handmade_images_never_panic() {
    let mut tail = nm(1, b"act");
    tail.extend(nm(0, b"ion"));
    let mut su = nm(1, b"qcloud_");
    su.extend(ce(SPARE, 100, tail.len() as u32));
    let q = rec(SUB, SECTOR as u32, DIR, b"QCLOUD00", &su);
    let mut img = image(true, &[q], &[conf_rr()]);
    img.put(SPARE, 100, &tail);
    assert!(lookup_conf(&img).is_ok());
    mutate_and_run(&img.0, 16..24, 5000);
}

// ---------------------------------------------------------------------------------------
// Real images made by xorriso.

mod xorriso {
    use super::*;
    use std::path::PathBuf;
    use std::process::Command;
    use std::string::String;

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let p = std::env::temp_dir().join(format!("osconf-iso-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(&p).unwrap();
            TempDir(p)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Makes an image of `tree` (path → bytes; a path ending in `/` is an empty
    /// directory) with `xorriso -as mkisofs -quiet <args>`.
    fn make_iso(name: &str, tree: &[(String, Vec<u8>)], args: &[&str]) -> Vec<u8> {
        let tmp = TempDir::new(name);
        let src = tmp.0.join("src");
        std::fs::create_dir_all(&src).unwrap();
        for (path, bytes) in tree {
            let p = src.join(path);
            if path.ends_with('/') {
                std::fs::create_dir_all(&p).unwrap();
            } else {
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(&p, bytes).unwrap();
            }
        }
        let iso = tmp.0.join("out.iso");
        let out = Command::new("xorriso")
            .args(["-as", "mkisofs", "-quiet", "-o"])
            .arg(&iso)
            .args(args)
            .arg(&src)
            .output()
            .unwrap_or_else(|e| panic!("cannot run xorriso ({e}): install xorriso to run the ISO image tests"));
        assert!(out.status.success(), "xorriso {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        std::fs::read(&iso).unwrap()
    }

    fn file(path: &str, bytes: &[u8]) -> (String, Vec<u8>) {
        (path.into(), bytes.to_vec())
    }

    const RR_JOLIET: &[&str] = &["-V", "config-2", "-R", "-J"];
    const JOLIET_ONLY: &[&str] = &["-V", "config-2", "--norock", "-J"];
    const PLAIN_LEVEL2: &[&str] = &["-V", "config-2", "--norock", "-iso-level", "2"];
    const LEVEL1: &[&str] = &["-V", "config-2", "--norock", "-iso-level", "1"];

    /// (image flags, expected NameKind, has Rock Ridge, has Joliet)
    const KINDS: [(&str, &[&str], NameKind, bool, bool); 4] = [
        ("rr-joliet", RR_JOLIET, NameKind::RockRidge, true, true),
        ("joliet", JOLIET_ONLY, NameKind::Joliet, false, true),
        ("plain2", PLAIN_LEVEL2, NameKind::Plain, false, false),
        ("level1", LEVEL1, NameKind::Level1Fallback, false, false),
    ];

    const CONF: &[u8] = b"hostname=vm-1\r\npassword=$6$salt$hash\nos_type=linux\n";

    fn read_path(iso: Vec<u8>, path: &[&[u8]]) -> Result<(FileRef, Vec<u8>), IsoError> {
        let mut dev = Mem::new(iso);
        let vol = Volume::probe(&mut dev)?;
        let f = find(&mut dev, &vol, path)?;
        let mut out = vec![0u8; 64 * 1024];
        let n = read(&mut dev, f, &mut out)?;
        out.truncate(n);
        Ok((f, out))
    }

    #[test]
    fn each_naming_scheme_reads_os_conf() {
        for (name, args, how, rr, joliet) in KINDS {
            let tree = [file("qcloud_action/os.conf", CONF), file("other/readme.txt", b"x")];
            let iso = make_iso(&format!("scheme-{name}"), &tree, args);
            let mut dev = Mem::new(iso);
            let vol = Volume::probe(&mut dev).unwrap();
            assert_eq!(vol.label(), b"config-2", "{name}");
            assert!(vol.is_config_drive(), "{name}");
            assert_eq!((vol.has_rock_ridge(), vol.has_joliet()), (rr, joliet), "{name}");
            if joliet {
                assert_eq!(vol.joliet_label(), b"config-2", "{name}");
            }
            let (f, path) = find_os_conf(&mut dev, &vol).unwrap();
            assert_eq!((f.how, path), (how, "qcloud_action/os.conf"), "{name}");
            let mut out = [0u8; 1024];
            let n = read(&mut dev, f, &mut out).unwrap();
            assert_eq!(&out[..n], CONF, "{name}");
        }
    }

    #[test]
    fn typo_directory_on_each_scheme() {
        for (name, args, how, _, _) in KINDS {
            let tree = [file("os_action/os.conf", CONF)];
            let iso = make_iso(&format!("typo-{name}"), &tree, args);
            let mut dev = Mem::new(iso);
            let vol = Volume::probe(&mut dev).unwrap();
            let (f, path) = find_os_conf(&mut dev, &vol).unwrap();
            assert_eq!((f.how, path), (how, "os_action/os.conf"), "{name}");
            let mut out = [0u8; 1024];
            let n = read(&mut dev, f, &mut out).unwrap();
            assert_eq!(&out[..n], CONF, "{name}");
        }
    }

    #[test]
    fn missing_file_on_each_scheme() {
        let want = [IsoError::NotFound, IsoError::NotFound, IsoError::NotFound, IsoError::NotFoundLevel1];
        for ((name, args, ..), want) in KINDS.into_iter().zip(want) {
            let tree = [file("qcloud_action/other.cfg", b"x"), file("os_action/", b"")];
            let iso = make_iso(&format!("missing-{name}"), &tree, args);
            let mut dev = Mem::new(iso);
            let vol = Volume::probe(&mut dev).unwrap();
            assert_eq!(find_os_conf(&mut dev, &vol).map(|_| ()), Err(want), "{name}");
        }
    }

    #[test]
    fn directory_where_the_file_should_be() {
        let tree = [file("qcloud_action/os.conf/inner", b"x")];
        let iso = make_iso("notafile", &tree, RR_JOLIET);
        assert_eq!(read_path(iso, &[b"qcloud_action", b"os.conf"]).map(|_| ()), Err(IsoError::NotAFile));
    }

    #[test]
    fn wrong_label() {
        let iso = make_iso("label", &[file("qcloud_action/os.conf", CONF)], &["-V", "OTHER", "-R", "-J"]);
        let mut dev = Mem::new(iso);
        let vol = Volume::probe(&mut dev).unwrap();
        assert_eq!((vol.label(), vol.joliet_label()), (&b"OTHER"[..], &b"OTHER"[..]));
        assert!(!vol.is_config_drive());
        assert_eq!(find_os_conf(&mut dev, &vol).unwrap().0.how, NameKind::RockRidge);
        // The label is matched ignoring case.
        let iso = make_iso("label-upper", &[file("a", b"")], &["-V", "CONFIG-2"]);
        assert!(Volume::probe(&mut Mem::new(iso)).unwrap().is_config_drive());
    }

    #[test]
    fn directory_spanning_many_sectors() {
        let mut tree: Vec<(String, Vec<u8>)> =
            (0..300).map(|i| file(&format!("qcloud_action/f{i:03}.txt"), format!("{i}").as_bytes())).collect();
        tree.push(file("qcloud_action/os.conf", CONF));
        for (name, args, how, ..) in KINDS {
            let iso = make_iso(&format!("many-{name}"), &tree, args);
            // The directory really spans several sectors.
            let mut dev = Mem::new(iso.clone());
            let vol = Volume::probe(&mut dev).unwrap();
            let mut s = Scratch { dir: [0; SECTOR], ce: [0; SECTOR], name: [0; NAME_MAX] };
            let plain = Scheme::Plain { level1: true };
            let mut names = (false, true);
            let dir = lookup(&mut dev, &mut s, vol.root, b"qcloud_action", true, plain, &mut names).unwrap().0;
            assert!(dir.sectors() >= 3, "{name}: {} sectors", dir.sectors());
            let (f, bytes) = read_path(iso.clone(), &[b"qcloud_action", b"os.conf"]).unwrap();
            assert_eq!((f.how, bytes.as_slice()), (how, CONF), "{name}");
            let (_, bytes) = read_path(iso, &[b"qcloud_action", b"f299.txt"]).unwrap();
            assert_eq!(bytes, b"299", "{name}");
        }
    }

    #[test]
    fn long_rock_ridge_name_uses_a_continuation_area() {
        let long: String = core::iter::repeat_n('n', 240).collect::<String>() + ".conf";
        let tree = [file(&format!("qcloud_action/{long}"), b"long name\n"), file("qcloud_action/os.conf", CONF)];
        let iso = make_iso("long", &tree, RR_JOLIET);
        let (f, bytes) = read_path(iso.clone(), &[b"qcloud_action", long.as_bytes()]).unwrap();
        assert_eq!((f.how, bytes.as_slice()), (NameKind::RockRidge, &b"long name\n"[..]));
        // xorriso did put part of that name in a CE continuation area.
        let mut dev = Mem::new(iso.clone());
        let vol = Volume::probe(&mut dev).unwrap();
        let mut s = Scratch { dir: [0; SECTOR], ce: [0; SECTOR], name: [0; NAME_MAX] };
        let skip = vol.rr_skip.unwrap();
        let rr = Scheme::RockRidge(skip);
        let (q, _) = lookup(&mut dev, &mut s, vol.root, b"qcloud_action", true, rr, &mut (false, true)).unwrap();
        let mut cur = dir::Cursor::new(q).unwrap();
        let mut saw_ce = false;
        while let Some(rec) = cur.next(&mut dev, &mut s.dir).unwrap() {
            let mut name = [0u8; NAME_MAX];
            let n = susp::rr_name(&mut dev, rec.system_use(), skip, &mut s.ce, &mut name).unwrap();
            if n.map(|n| &name[..n]) == Some(long.as_bytes()) {
                let area = &rec.system_use()[skip as usize..];
                saw_ce = area.windows(4).any(|w| w == b"CE\x1c\x01");
            }
        }
        assert!(saw_ce, "expected xorriso to split the long NM over a CE area");
        // Mutating this real image never panics either.
        mutate_and_run(&iso, 16..(iso.len() / SECTOR).min(40), 1500);
    }
}
