//! Test support: golden files under `tests/golden/<renderer>/<case>.{in,out}`, compared
//! byte for byte.

/// The bytes of `tests/golden/<dir>/<case>.<ext>`, embedded at compile time.
macro_rules! golden {
    ($dir:literal, $case:literal, $ext:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/", $dir, "/", $case, ".", $ext))
    };
}
pub(crate) use golden;

/// Fails naming the case and showing both texts (lossily) when the bytes differ.
pub fn assert_bytes(case: &str, got: &[u8], want: &[u8]) {
    assert!(
        got == want,
        "case {case}: output differs\n--- got ---\n{}\n--- want ---\n{}",
        String::from_utf8_lossy(got),
        String::from_utf8_lossy(want)
    );
}
