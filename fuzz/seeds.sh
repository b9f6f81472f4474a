#!/usr/bin/env bash
# shellcheck disable=SC2016 # the seeds hold a literal `$` (crypt hashes, `$(reboot)`)
# Remakes the seed corpora in fuzz/corpus/<target>/ (they are committed; this is their
# recipe). Input formats: the header comment of each fuzz/fuzz_targets/<target>.rs.
# - conf: examples/os.conf and hostile os.conf files;
# - iso: config-drive images made by xorriso (1.5.4 here) from examples/os.conf, cut the
#   way the target reads images: the 16-sector system area removed from the front (input
#   byte 0 is LBA 16) and everything after the sector holding os.conf's data from the end;
# - shadow, hosts: a small binary header, then the golden inputs of tests/golden/.
#   bash fuzz/seeds.sh
set -euo pipefail

cd "$(dirname "$0")/.."
out=fuzz/corpus/iso
tmp=$(mktemp -d "${TMPDIR:-/tmp}/osconf-seeds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
marker='hostname=VM_0_7_centos'

# seed NAME DIR MKISOFS-ARGS...: an image of the tree in DIR, cut, as $out/NAME.
seed() {
    local name=$1 dir=$2
    shift 2
    xorriso -as mkisofs -quiet -o "$tmp/$name.iso" "$@" "$dir" 2>/dev/null
    local at
    at=$(grep -obUa -m1 "$marker" "$tmp/$name.iso" | head -n1 | cut -d: -f1)
    dd if="$tmp/$name.iso" of="$out/$name" bs=2048 skip=16 count=$((at / 2048 + 1 - 16)) status=none
    echo "$out/$name: $(stat -c %s "$out/$name") bytes (os.conf at byte $at of the image)"
}

# tree DIR [SUBDIR]: DIR/SUBDIR/os.conf (default qcloud_action).
tree() {
    mkdir -p "$1/${2:-qcloud_action}"
    cp examples/os.conf "$1/${2:-qcloud_action}/os.conf"
}

tree "$tmp/plain"
seed rr-joliet "$tmp/plain" -V config-2 -R -J
seed joliet-only "$tmp/plain" -V config-2 --norock -J
seed plain-level2 "$tmp/plain" -V config-2 --norock -iso-level 2
seed level1 "$tmp/plain" -V config-2 --norock -iso-level 1

# The vendor documentation's misspelt directory.
tree "$tmp/typo" os_action
seed os-action "$tmp/typo" -V CONFIG-2 -R -J

# A Rock Ridge name long enough that xorriso continues its NM entry in a CE area.
tree "$tmp/long"
long=$(printf 'n%.0s' $(seq 240))
echo 'long name' >"$tmp/long/qcloud_action/$long.conf"
seed rr-long-name "$tmp/long" -V config-2 -R -J

# A directory spanning several sectors (empty files take no data sectors).
tree "$tmp/many"
for i in $(seq -w 1 120); do
    : >"$tmp/many/qcloud_action/file-$i.txt"
done
seed rr-many-entries "$tmp/many" -V config-2 -R -J

# ---- conf: os.conf files.
c=fuzz/corpus/conf
mkdir -p "$c"
cp examples/os.conf "$c/example"
printf '%s\n' 'hostname=VM_10_20_xxxx' 'password=GRSgae1fw9frsG.rfrF' 'eth0_ip_addr=10.104.62.201' \
    'eth0_mac_addr=52:54:00:E1:96:EB' 'eth0_netmask=255.255.192.0' 'eth0_gateway=10.104.0.1' \
    'dns_nameserver="10.138.224.65 10.182.20.26 10.182.24.12"' >"$c/vendor-sample"
printf '\xef\xbb\xbf# crlf, bom, quotes\r\n\r\n  hostname = '"'"'web-1'"'"'  \r\npassword="$6$rounds=5000$usesomesillystri$e74JoeIGVLawgX/zXBUlf0msAfMiZTP9fT40tyyrE6tZL9dghrHqPAs2UWcFBitOot0e/T6QndGaAkehCxaGN/"\r\neth0_ip_addr=10.0.0.5 # primary\r\neth0_mac_addr=52-54-00-AA-BB-CC\r\neth0_netmask=/24\r\ninstance_id=ins-abc123\r\n' >"$c/crlf-bom-quotes"
{
    for n in 0 1 2 3 4 5 6 7; do
        printf 'eth%s_ip_addr=10.%s.0.5\neth%s_mac_addr=52:54:00:00:00:0%s\neth%s_netmask=%s\neth%s_gateway=10.%s.0.1\n' \
            "$n" "$n" "$n" "$n" "$n" "$((16 + n))" "$n" "$n"
    done
    echo 'eth8_ip_addr=10.8.0.5'
    echo 'dns_nameserver="10.0.0.1 nope 10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6 10.0.0.7 10.0.0.8 10.0.0.9"'
    echo 'hostname=a.very.long.name.that.goes.on.and.on.and.on.past.sixty.four.bytes.example.com.'
} >"$c/eight-nics"
printf '%s\n' 'hostname=$(reboot)' 'hostname=a;b' 'password=$6$sa:lt$hash' 'password="unterminated' \
    'eth0_ip_addr=10.0.0.255' 'eth0_mac_addr=zz' 'eth0_netmask=255.0.255.0' 'eth0_gateway=' \
    'eth1_ip_addr=10.0.0.7' 'eth1_mac_addr=52:54:00:00:00:01' 'eth1_netmask=32' 'eth1_gateway=192.168.1.1' \
    'this is not a line' '=' "'" 'instance_id=ins/../x' 'hostname=ok' >"$c/hostile-lines"
{
    printf 'hostname='
    head -c 2000 /dev/zero | tr '\0' a
    printf '\npassword=abJnggxhB/yWI\n\0\0\377\376=\n'
} >"$c/long-line"

# ---- shadow: [flags][day, 4 bytes LE][hash]\n[old file]. Day 20000 is 0x4e20.
s=fuzz/corpus/shadow
mkdir -p "$s"
hash='$6$lo.f8h5BxCWUADBl$vTP/0UIIsFdCMy2dUYkCM/ePWfzt8j08KJbuV9jcXIrzFnqRjBqUZPL//ejIbXUa3EcMRYTZw2gy0f/XvhuQ1.'
flags=('\x00' '\x01' '\xfe' '\x42' '\x00' '\x03' '\x80')
i=0
for f in tests/golden/shadow/*.in; do
    { printf "${flags[i % ${#flags[@]}]}"'\x20\x4e\x00\x00%s\n' "$hash"; cat "$f"; } >"$s/$(basename "$f" .in)"
    i=$((i + 1))
done
{ printf '\x00\x20\x4e\x00\x00%s\n' 'abJnggxhB/yWI'; printf 'root:abJnggxhB/yWI:19000::::::\nbin:*:1::\n'; } >"$s/same-des-hash"

# ---- hosts: [address, 4 bytes][hostname]\n[old file].
h=fuzz/corpus/hosts
mkdir -p "$h"
for f in tests/golden/hosts/*.in; do
    { printf '\x0a\x00\x00\x05%s\n' vm1.example.com; cat "$f"; } >"$h/$(basename "$f" .in)"
done
{ printf '\x0a\x68\x3e\xc9%s\n' VM_10_20_xxxx; cat tests/golden/hosts/debian.in; } >"$h/debian-vendor-name"
printf '\x7f\x00\x00\x01localhost\n127.0.0.1\tlocalhost\n127.0.0.1 again\r\n' >"$h/loopback"

du -b --summarize fuzz/corpus/*
