#!/usr/bin/env bash
# The main job on a sample root: make a real config-drive ISO (label config-2,
# qcloud_action/os.conf from examples/os.conf), run the static osconf binary on
# a copy of examples/root with a fake sysfs for the NIC, and show what changed.
# The sample password hash in examples/os.conf is for the password "osconf-demo".
# Password hashes are never printed: they show as <hash>.
set -euo pipefail

cd "$(dirname "$0")/.."
bin=${OSCONF_BIN:-target/x86_64-unknown-linux-musl/release/osconf}
if [ ! -x "$bin" ]; then
    echo "demo.sh: $bin not found; build it first:" >&2
    echo "  cargo build --release --target x86_64-unknown-linux-musl" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/osconf-demo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Hides anything shaped like a crypt hash ($id$...), wherever it appears, and
# shortens the temp dir to $tmp.
mask() {
    sed -E -e 's/\$[0-9a-z]+\$[^:[:space:]]*/<hash>/g' -e "s|$tmp|\$tmp|g"
}

# In `diff` output, the 2nd field of shadow lines becomes <hash> unless it is
# only a lock marker (* or !), so a lifted lock still shows. File headers lose
# their timestamps.
mask_shadow_diff() {
    awk '
        /^diff / { shadow = ($NF ~ /\/etc\/shadow$/) }
        /^(---|\+\+\+) / { sub(/\t.*/, ""); print; next }
        shadow && /^[-+ ][^:]*:[^:]*:/ {
            i = index($0, ":"); rest = substr($0, i + 1); j = index(rest, ":")
            field = substr(rest, 1, j - 1)
            if (field !~ /^[!*]*$/) $0 = substr($0, 1, i) "<hash>" substr(rest, j)
        }
        { print }
    ' | mask
}

# 1. The config CD, as Tencent Cloud attaches it.
mkdir -p "$tmp/cd/qcloud_action"
cp examples/os.conf "$tmp/cd/qcloud_action/os.conf"
if ! xorriso -as mkisofs -quiet -V config-2 -R -J -o "$tmp/config.iso" "$tmp/cd" 2>"$tmp/xorriso.log"; then
    cat "$tmp/xorriso.log" >&2
    exit 1
fi

# 2. The root: a copy of examples/root (git keeps no 0640, so set it here),
#    and an untouched copy to compare with.
cp -a examples/root "$tmp/root"
chmod 0640 "$tmp/root/etc/shadow"
cp -a "$tmp/root" "$tmp/before"

# 3. A fake sysfs with the NIC from os.conf, so ifcfg gets the kernel's name.
mkdir -p "$tmp/sys/class/net/eth0"
echo 52:54:00:e1:96:eb >"$tmp/sys/class/net/eth0/address"

args=(--device "$tmp/config.iso" --root "$tmp/root" --sys "$tmp/sys" --log stderr)

echo "### examples/os.conf (as on the CD)"
grep -v '^#' examples/os.conf | mask
echo

echo "### osconf --dry-run ${args[*]//$tmp/\$tmp}"
echo "(log lines and the files it would write; their contents are in the diff below)"
rc=0
"$bin" --dry-run "${args[@]}" 2>&1 | grep -E '^(osconf:|--- /)' | mask || rc=$?
echo "(exit code $rc)"
echo

echo "### osconf ${args[*]//$tmp/\$tmp}"
rc=0
"$bin" "${args[@]}" >"$tmp/out" 2>&1 || rc=$?
mask <"$tmp/out"
echo "(exit code $rc)"
echo

echo "### what changed: diff -ruN before root"
(cd "$tmp" && { diff -ruN before root || true; }) | mask_shadow_diff
echo

echo "### the same run again: nothing is rewritten"
rc2=0
"$bin" "${args[@]}" 2>&1 | grep -E 'already up to date|updated|created|earlier boot' | mask || rc2=$?
echo "(exit code $rc2)"

exit "$rc"
