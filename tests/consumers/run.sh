#!/bin/bash
# Feeds the committed golden outputs of the network renderers (tests/golden/<format>/*.out,
# checked byte for byte by `cargo test`) to the real programs that read them, Debian's
# packages (installed by tests/consumers/setup.sh):
#   netplan  : `netplan generate --root-dir` (no warnings; the .network networkd applies)
#   nm_keyfile: `nmcli --offline` parses and normalises the keyfile without a daemon, and
#              NetworkManager itself, in private network/mount namespaces, picks our profile
#              over an older DHCP profile for the same NIC (skipped where namespaces fail)
#   eni      : `ifquery` / `ifup --no-act` on our interfaces.d file and merged main files
#   ifcfg    : the routes initscripts would add (`ip route add default via $GATEWAY`, and
#              `ip route add <line>` for each line of route-<name>) in a network namespace
# and, as a differential check, cloud-init's renderers on the same networks
# (tests/consumers/cloud-init.sh, written as network_data.json; facts, not bytes, compared).
# Nothing touches this machine's network: netplan and ifup only write under temp dirs,
# NetworkManager runs in a network namespace of its own holding one veth pair.
# Prints `N passed, M failed` and exits non-zero when a check failed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
G=tests/golden
pass=0
fail=0
tmp=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
# check NAME FILE PATTERN...: every grep -E pattern is in FILE.
check() {
    local name=$1 file=$2 p
    shift 2
    for p in "$@"; do
        if ! grep -qE -- "$p" "$file"; then
            bad "$name: no /$p/ in $file:"
            sed 's/^/    /' "$file"
            return
        fi
    done
    ok "$name"
}

# ---- netplan -------------------------------------------------------------------------
declare -A want_net=(
    [gateway]='^Address=10\.104\.62\.201/18$ ^Gateway=10\.104\.0\.1$ ^DNS=10\.182\.24\.12$ ^PermanentMACAddress=52:54:00:e1:96:eb$'
    [no-gateway]='^Address=192\.168\.7\.10/24$ ^DNS=10\.138\.224\.65$ ^PermanentMACAddress=12:34:56:12:34:56$'
    [offlink-32]='^Address=172\.16\.0\.17/32$ ^Gateway=172\.16\.0\.1$ ^GatewayOnLink=true$ ^DNS=10\.0\.0\.6$'
    [no-dns]='^Address=10\.104\.62\.201/18$'
)
for case in gateway no-gateway offlink-32 no-dns; do
    for competing in no yes; do
        root=$tmp/netplan-$case-$competing
        mkdir -p "$root/etc/netplan"
        mac=$(sed -n 's/.*macaddress: "\(.*\)"/\1/p' "$G/netplan/$case.out")
        install -m 600 "$G/netplan/$case.out" "$root/etc/netplan/90-osconf-${mac//:/}.yaml"
        if [ "$competing" = yes ]; then
            # What cloud-init writes for the same NIC.
            printf 'network:\n    ethernets:\n        eth0:\n            dhcp4: true\n            match:\n                macaddress: %s\n            set-name: eth0\n    version: 2\n' \
                "$mac" >"$root/etc/netplan/50-cloud-init.yaml"
            chmod 600 "$root/etc/netplan/50-cloud-init.yaml"
        fi
        name="netplan $case (competing 50-cloud-init.yaml: $competing)"
        if ! netplan generate --root-dir "$root" >"$root/log" 2>&1 || [ -s "$root/log" ]; then
            bad "$name: netplan generate said:"
            sed 's/^/    /' "$root/log"
            continue
        fi
        # networkd applies the first .network file, in lexical order, matching the link.
        first=$(grep -lx "PermanentMACAddress=$mac" "$root"/run/systemd/network/*.network | sort | head -n1)
        case $first in
            */10-netplan-0osconf-*) ;;
            *)
                bad "$name: networkd would apply $first, not ours"
                continue
                ;;
        esac
        # shellcheck disable=SC2086 # the pattern list is split on purpose
        check "$name" "$first" ${want_net[$case]} '^DHCP=no$|^LinkLocalAddressing'
        if [ "$competing" = yes ] && ! grep -q 'Name=eth0' "$root/run/systemd/network/10-netplan-eth0.link"; then
            bad "$name: the image's set-name .link file is gone"
        fi
    done
done

# ---- NetworkManager keyfile: nmcli --offline ------------------------------------------
declare -A want_nm=(
    [gateway]='^mac-address=52:54:00:E1:96:EB$ ^address1=10\.104\.62\.201/18,10\.104\.0\.1$ ^autoconnect-priority=999$ ^dns=10\.138\.224\.65;10\.182\.20\.26;10\.182\.24\.12;$ ^method=manual$'
    [no-gateway]='^address1=192\.168\.7\.10/24$ ^never-default=true$ ^dns=10\.138\.224\.65;$'
    [offlink-32]='^address1=172\.16\.0\.17/32,172\.16\.0\.1$ ^route1=172\.16\.0\.1/32$ ^dns=10\.138\.224\.65;10\.182\.20\.26;10\.182\.24\.12;10\.0\.0\.5;10\.0\.0\.6;$'
    [no-dns]='^address1=10\.104\.62\.201/18$ ^never-default=true$'
)
for case in gateway no-gateway offlink-32 no-dns; do
    out=$tmp/nm-$case
    if ! nmcli --offline connection modify connection.autoconnect yes <"$G/nm_keyfile/$case.out" >"$out" 2>&1; then
        bad "nmcli --offline $case refused the keyfile:"
        sed 's/^/    /' "$out"
        continue
    fi
    if grep -q '^interface-name=' "$out"; then
        bad "nmcli --offline $case: interface-name= present"
        continue
    fi
    # shellcheck disable=SC2086
    check "nmcli --offline $case" "$out" ${want_nm[$case]} '^method=ignore$'
done

# ---- NetworkManager daemon: our profile wins over an older DHCP one --------------------
# nm_daemon_check TAG KEYFILE [SED]: NetworkManager with our keyfile (edited by SED) and an
# image's DHCP profile for the same MAC, used before (timestamp), in network and mount
# namespaces of its own; prints the profile it activated, the address and the routes.
nm_daemon_check() {
    local d=$tmp/nmd-$1
    mkdir -p "$d/conns" "$d/lib"
    sed "${3:-}" "$2" >"$d/conns/osconf-525400e196eb.nmconnection"
    printf '[connection]\nid=image-dhcp\nuuid=6a1e3c46-1c5e-4a5b-9d2f-3f1a2b3c4d5e\ntype=ethernet\n\n[ethernet]\nmac-address=52:54:00:E1:96:EB\n\n[ipv4]\nmethod=auto\n' \
        >"$d/conns/image-dhcp.nmconnection"
    chmod 600 "$d"/conns/*
    # NetworkManager keeps "last used" in its state directory, not in the profile.
    printf '[timestamps]\n6a1e3c46-1c5e-4a5b-9d2f-3f1a2b3c4d5e=1700000000\n' >"$d/lib/timestamps"
    printf '[main]\nplugins=keyfile\nno-auto-default=*\n[keyfile]\npath=%s/conns\n' "$d" >"$d/nm.conf"
    cat >"$d/inner.sh" <<'EOF'
set -eu
d=$1
mount -t tmpfs tmpfs /run
mkdir -p /run/dbus /run/NetworkManager /run/udev/data
mount --bind "$d/lib" /var/lib/NetworkManager
bus=$(dbus-daemon --system --fork --nopidfile --print-pid)
trap 'kill "$bus"' EXIT
ip link add osconf-t0 address 52:54:00:e1:96:eb type veth peer name osconf-t1
ip link set osconf-t1 up
# No udevd here: sysfs for this network namespace, and a udev database entry per link
# of our own, so NetworkManager takes the links as initialized and manages them.
mount -t sysfs sysfs /sys
for l in osconf-t0 osconf-t1; do
    printf 'I:1\nE:ID_NET_DRIVER=veth\n' >"/run/udev/data/n$(cat "/sys/class/net/$l/ifindex")"
done
NetworkManager --no-daemon --debug --config="$d/nm.conf" >"$d/nm.log" 2>&1 &
nm=$!
c=
for _ in $(seq 1 60); do
    if [ "$(nmcli -g GENERAL.STATE device show osconf-t0 2>/dev/null)" = "100 (connected)" ]; then
        c=$(nmcli -g GENERAL.CONNECTION device show osconf-t0)
        break
    fi
    grep -q "auto-activating connection 'image-dhcp'" "$d/nm.log" && break
    sleep 0.5
done
echo "connection=$c"
sed -n "s/.*auto-activating connection '\\([^']*\\)'.*/activating=\\1/p" "$d/nm.log"
ip -4 addr show dev osconf-t0 | sed -n 's/.*inet \([^ ]*\).*/addr=\1/p'
ip -4 route show dev osconf-t0 | sed 's/^/route=/'
kill "$nm"
wait "$nm" || true
EOF
    timeout 120 unshare --net --mount --propagation private bash "$d/inner.sh" "$d" >"$d/result" 2>&1
}
if command -v NetworkManager >/dev/null && unshare --net --mount --propagation private true 2>/dev/null; then
    nm_daemon_check gateway "$G/nm_keyfile/gateway.out"
    check "NetworkManager activates our profile over an older DHCP one (gateway)" "$tmp/nmd-gateway/result" \
        '^activating=osconf-525400e196eb$' '^connection=osconf-525400e196eb$' '^addr=10\.104\.62\.201/18$' '^route=default via 10\.104\.0\.1 '
    nm_daemon_check offlink "$G/nm_keyfile/offlink-32.out"
    check "NetworkManager activates our profile over an older DHCP one (/32, off-subnet gateway)" \
        "$tmp/nmd-offlink/result" '^connection=osconf-525400e196eb$' '^addr=172\.16\.0\.17/32$' \
        '^route=default via 172\.16\.0\.1 ' '^route=172\.16\.0\.1 '
    # Control: without our priority line the older profile is chosen, so the priority is
    # what makes ours win.
    nm_daemon_check control "$G/nm_keyfile/gateway.out" '/^autoconnect-priority=/d'
    check "control: without autoconnect-priority the image's profile wins" "$tmp/nmd-control/result" \
        '^activating=image-dhcp$'
else
    echo "skip NetworkManager daemon checks: no NetworkManager or no namespaces here"
fi

# ---- ifupdown ----------------------------------------------------------------------------
declare -A want_eni=(
    [gateway]='^address: 10\.104\.62\.201$ ^netmask: 255\.255\.192\.0$ ^gateway: 10\.104\.0\.1$ ^dns-nameservers: 10\.138\.224\.65 10\.182\.20\.26 10\.182\.24\.12$'
    [no-gateway]='^address: 10\.104\.62\.201$ ^dns-nameservers: 10\.138\.224\.65$'
    [offlink-32]='^address: 172\.16\.0\.17$ ^netmask: 255\.255\.255\.255$ ^gateway: 172\.16\.0\.1$'
    [no-dns]='^address: 10\.104\.62\.201$'
)
for case in gateway no-gateway offlink-32 no-dns; do
    d=$tmp/eni-$case
    mkdir -p "$d/interfaces.d"
    cp "$G/eni/$case.out" "$d/interfaces.d/osconf-eth0"
    printf 'auto lo\niface lo inet loopback\n\nsource %s/interfaces.d/*\n' "$d" >"$d/interfaces"
    ifquery -i "$d/interfaces" eth0 >"$d/query" 2>&1 || bad "ifquery $case failed"
    case $case in no-*) grep -q '^gateway' "$d/query" && bad "ifquery $case: a gateway where none was given" ;; esac
    # shellcheck disable=SC2086
    check "ifquery $case" "$d/query" ${want_eni[$case]}
    ifup --no-act -i "$d/interfaces" --state-dir "$d/state" eth0 >"$d/noact" 2>&1
    if [ "$case" = offlink-32 ]; then
        check "ifup --no-act $case" "$d/noact" 'ip addr add 172\.16\.0\.17/255\.255\.255\.255' 'ip route add default via 172\.16\.0\.1 +dev eth0 onlink'
    else
        check "ifup --no-act $case" "$d/noact" 'ip addr add 10\.104\.62\.201/255\.255\.192\.0'
    fi
done
# Merged main files: only our stanza is left for eth0 (the competing one is disabled).
for case in debian-sources no-source no-final-newline empty; do
    f=$G/eni/$case.out
    q=$tmp/merge-$case
    ifquery -i "$f" eth0 >"$q" 2>&1
    if grep -qE '^(address|gateway|netmask): ' "$q"; then
        addrs=$(grep -c '^address: ' "$q")
        if [ "$addrs" = 1 ] && grep -qx 'address: 10.104.62.201' "$q"; then ok "ifquery merged $case"; else
            bad "ifquery merged $case:"
            sed 's/^/    /' "$q"
        fi
    elif [ "$case" = debian-sources ]; then
        # Our stanza lives in interfaces.d there; the main file's eth0 has only inet6 left.
        if ifup --no-act -i "$f" --state-dir "$q.state" eth0 2>&1 | grep -q dhclient; then bad "merged $case still runs dhclient"; else ok "ifquery merged $case (no inet stanza left)"; fi
    else
        bad "ifquery merged $case: no address:"
        sed 's/^/    /' "$q"
    fi
done

# ---- ifcfg: the routes initscripts adds -------------------------------------------------
# ifcfg_routes IFCFG [ROUTE]: in a network namespace of its own with a veth "eth0" holding
# IPADDR/PREFIX, adds what ifup-eth adds for GATEWAY= and what ifup-routes adds for each
# line of the route file (`ip -4 route add <line>`, comments skipped); prints `ip route`.
ifcfg_routes() {
    # shellcheck disable=SC2016 # expanded by the inner sh
    unshare -n sh -euc '
        . "$1"
        ip link add eth0 type veth peer name eth0-peer
        ip link set eth0 up
        ip addr add "$IPADDR/$PREFIX" dev eth0
        [ -z "${GATEWAY:-}" ] || ip route add default via "$GATEWAY" dev eth0
        if [ -n "${2:-}" ]; then
            grep -vE "^[[:space:]]*(#.*)?$" "$2" | while read -r line; do
                ip -4 route add $line
            done
        fi
        ip -4 route show
    ' sh "$@" 2>&1
}
if unshare -n true 2>/dev/null; then
    out=$tmp/ifcfg-gateway
    ifcfg_routes "$G/ifcfg/gateway-3dns.out" >"$out"
    check "ifcfg GATEWAY= routes" "$out" '^default via 10\.104\.0\.1 dev eth0' '^10\.104\.0\.0/18 dev eth0'
    out=$tmp/ifcfg-offlink
    ifcfg_routes "$G/ifcfg/off-subnet.out" "$G/ifcfg/route-off-subnet.out" >"$out"
    check "ifcfg route-eth0 with a gateway outside a /32" "$out" '^default via 10\.104\.0\.1 dev eth0' '^10\.104\.0\.1 dev eth0 scope link'
    # The control: the same gateway as GATEWAY= alone is refused by ip (what the file avoids).
    if printf 'IPADDR=10.104.62.201\nPREFIX=32\nGATEWAY=10.104.0.1\n' >"$tmp/ifcfg-control" &&
        ifcfg_routes "$tmp/ifcfg-control" | grep -q '^default via'; then
        bad "ifcfg control: ip took an off-subnet GATEWAY= without an on-link route"
    else
        ok "ifcfg control: an off-subnet GATEWAY= alone is refused by ip route"
    fi
else
    echo "skip ifcfg routes: no network namespaces here"
fi

# ---- cloud-init's renderers on the same networks ------------------------------------------
# shellcheck source=tests/consumers/cloud-init.sh
. tests/consumers/cloud-init.sh

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
