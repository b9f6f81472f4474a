# shellcheck shell=bash disable=SC2154 # $tmp and the helpers are run.sh's
# Differential check, sourced by tests/consumers/run.sh (it uses run.sh's ok/bad/check,
# nm_daemon_check, $G and $tmp): the network of each golden case below, written as an
# OpenStack network_data.json, is rendered by cloud-init too (`cloud-init devel
# net-convert`, Debian's 22.4), and both files are reduced to what they tell the kernel
# and the resolver by net-facts.awk (MAC, address/prefix, default gateway and whether it
# is reachable, every DNS server in order). Formats differ, so bytes are not compared.
#
# Every fact of ours must be the network's; every fact of cloud-init's must be the same,
# or be listed in `known` below with cloud-init's exact line (a change there fails too,
# so the notes cannot go stale). Where they disagree, the daemons settle it: the /32
# case's default route goes through systemd-networkd, NetworkManager and the commands
# ifupdown runs, in network namespaces of their own.
#
# Intentional differences that the facts do not show:
# - netplan: cloud-init's file is `eth0: {match: {macaddress}, set-name: eth0}`; ours has
#   ID 0osconf-<mac>, matched by MAC, and renames nothing (netplan.rs tells why). Both use
#   `to: 0.0.0.0/0`. cloud-init quotes the all-digit MAC too (YAML 1.1 base 60).
# - networkd: cloud-init adds `Name=eth0` to [Match] and puts DNS on one line; ours
#   matches the MAC alone, whatever the kernel calls the NIC.
# - eni: cloud-init puts the DNS servers on the `lo` stanza and writes a udev rule naming
#   the MAC eth0; ours puts them on the NIC's stanza and uses the name the initramfs gave.
#   resolvconf reads dns-nameservers from every interface that is up, so both reach it.
# - ifcfg: cloud-init (rhel) writes resolv.conf itself, NM_CONTROLLED=no and a NetworkManager
#   drop-in `dns = none`; ours writes DNS1..DNSn and leaves the resolver to the distro.
# - NetworkManager: cloud-init's profile has no autoconnect-priority (ours 999).

if ! command -v cloud-init >/dev/null; then
    echo "skip cloud-init differential: cloud-init not installed (tests/consumers/setup.sh)"
    return 0
fi
FACTS=tests/consumers/net-facts.awk
LAN="52:54:00:e1:96:eb 10.104.62.201 255.255.192.0"
H32="52:54:00:e1:96:eb 172.16.0.17 255.255.255.255"
DNS3="10.138.224.65 10.182.20.26 10.182.24.12"
# "format case MAC ADDRESS NETMASK GATEWAY|- DNS...": the inputs of the golden() tests in
# src/render/<format>.rs for tests/golden/<format>/<case>.out.
ci_cases=(
    "netplan gateway $LAN 10.104.0.1 $DNS3"
    "netplan no-gateway 12:34:56:12:34:56 192.168.7.10 255.255.255.0 - 10.138.224.65"
    "netplan offlink-32 $H32 172.16.0.1 $DNS3 10.0.0.5 10.0.0.6"
    "networkd gateway $LAN 10.104.0.1 $DNS3"
    "networkd no-gateway $LAN - 10.138.224.65"
    "networkd offlink-32 $H32 172.16.0.1 10.138.224.65 10.182.20.26"
    "eni gateway $LAN 10.104.0.1 $DNS3"
    "eni no-gateway $LAN - 10.138.224.65"
    "eni offlink-32 $H32 172.16.0.1 $DNS3 10.0.0.5 10.0.0.6"
    "nm_keyfile gateway $LAN 10.104.0.1 $DNS3"
    "nm_keyfile no-gateway 52:54:00:12:34:56 192.168.7.10 255.255.255.0 - 10.138.224.65"
    "nm_keyfile offlink-32 $H32 172.16.0.1 $DNS3 10.0.0.5 10.0.0.6"
    "ifcfg gateway-3dns $LAN 10.104.0.1 $DNS3"
    "ifcfg no-gateway $LAN - 10.138.224.65"
    "ifcfg 5dns $LAN 10.104.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6"
    "ifcfg off-subnet 52:54:00:e1:96:eb 10.104.62.201 255.255.255.255 10.104.0.1"
)
off32="unreachable: outside 172.16.0.17/32 and not on-link"
# Where cloud-init 22.4 differs, its exact line. Which side is right:
# - A gateway outside a /32 is rendered as a plain route in every format. netplan(5) says
#   `on-link: true` is what marks such a gateway; systemd.network(5) GatewayOnLink= lets
#   the kernel take it; ifupdown adds `onlink` itself for `gateway`, but cloud-init writes
#   `post-up route add default gw … || true` (net-tools, not a dependency; the kernel
#   refuses it and `|| true` hides that). Checked below with the real daemons: ours gets
#   its default route, cloud-init's does not, except under NetworkManager, which adds a
#   device route to an unreachable gateway by itself (ours writes route1=<gw>/32 so as not
#   to depend on that). Upstream (canonical/cloud-init): PRs #1931 (netplan) and #4996
#   (networkd, issue #4995) add on-link for a subnet's `gateway`, later than 22.4; issue
#   #5523 reports `routes` still without it in 24.2, and network_data.json's gateway is
#   a route.
# - NetworkManager keyfiles get no DNS at all: 22.4's renderer only writes per-subnet
#   servers, never network_data.json's `services` (changed upstream by PR #4637).
# - sysconfig writes only three servers to resolv.conf (resolv.conf(5) MAXNS); ours keeps
#   all five as DNS1..DNS5, for NetworkManager and systemd-resolved, which take more.
declare -A known=(
    ["netplan offlink-32 gw"]="gw 172.16.0.1 $off32"
    ["networkd offlink-32 gw"]="gw 172.16.0.1 $off32"
    ["eni offlink-32 gw"]="gw 172.16.0.1 $off32"
    ["nm_keyfile offlink-32 gw"]="gw 172.16.0.1 $off32"
    ["nm_keyfile gateway dns"]="dns none"
    ["nm_keyfile no-gateway dns"]="dns none"
    ["nm_keyfile offlink-32 dns"]="dns none"
    ["ifcfg 5dns dns"]="dns 10.0.0.2 10.0.0.3 10.0.0.4"
    ["ifcfg off-subnet gw"]="gw 10.104.0.1 unreachable: outside 10.104.62.201/32 and not on-link"
)

# network_data_json MAC ADDRESS NETMASK GATEWAY|- DNS...: the OpenStack config-drive file
# for one NIC (the gateway as a 0.0.0.0/0 route, as Nova writes it; DNS as services).
network_data_json() {
    local mac=$1 addr=$2 mask=$3 gw=$4 routes='' services='' s
    shift 4
    [ "$gw" = - ] || routes="{\"network\": \"0.0.0.0\", \"netmask\": \"0.0.0.0\", \"gateway\": \"$gw\"}"
    for s in "$@"; do services="$services${services:+, }{\"type\": \"dns\", \"address\": \"$s\"}"; done
    printf '{"links": [{"id": "tap0", "type": "phy", "ethernet_mac_address": "%s", "mtu": 1500}],\n' "$mac"
    printf ' "networks": [{"id": "network0", "link": "tap0", "type": "ipv4", "ip_address": "%s", "netmask": "%s", "routes": [%s]}],\n' \
        "$addr" "$mask" "$routes"
    printf ' "services": [%s]}\n' "$services"
}

ci=$tmp/cloud-init
# The conversions. Each `cloud-init devel net-convert` spends ~0.5 s of CPU starting Python
# and importing cloud-init, so net-convert-batch.py runs several in one interpreter through
# the subcommand's own parser and entry point: batch N holds the Nth case of every format
# (so no batch has two netplan conversions, see there), two batches at a time. One case
# also goes through the real command line, and its output must be the same.
mkdir -p "$ci"
declare -A nth=()
for c in "${ci_cases[@]}"; do
    read -r fmt case mac spec <<<"$c"
    d=$ci/$fmt-$case
    mkdir -p "$d"
    read -r -a words <<<"$mac $spec"
    network_data_json "${words[@]}" >"$d/network_data.json"
    case $fmt in
        netplan | networkd | eni) kind=$fmt distro=debian ;;
        ifcfg) kind=sysconfig distro=rhel ;;
        nm_keyfile) kind=network-manager distro=rhel ;;
    esac
    n=${nth[$fmt]:-0}
    nth[$fmt]=$((n + 1))
    echo "$d $kind $distro $mac" >>"$ci/batch-$n"
done
python=$(sed -n '1s/^#! *//p' "$(command -v cloud-init)") # Debian's python3, with cloudinit
ci_cli=$ci/netplan-offlink-32
cloud-init devel net-convert -p "$ci_cli/network_data.json" -k network_data.json -m eth0,52:54:00:e1:96:eb \
    -D debian -O netplan -d "$ci_cli/cli-out" >"$ci_cli/cli-log" 2>&1 &
printf '%s\n' "$ci"/batch-* | xargs -P 2 -n 1 "$python" tests/consumers/net-convert-batch.py >"$ci/batch-log" 2>&1
wait
if diff -r "$ci_cli/cli-out" "$ci_cli/out" >"$ci_cli/cli-diff" 2>&1; then
    ok "cloud-init devel net-convert on the command line writes what the batched entry point writes"
else
    bad "cloud-init devel net-convert on the command line differs from the batched run:"
    sed 's/^/    /' "$ci_cli/cli-log" "$ci_cli/cli-diff"
fi

# netplan's generator itself, what `netplan generate` runs (without its Python start-up).
netplan_generate=/lib/netplan/generate
[ -x "$netplan_generate" ] || netplan_generate=/usr/libexec/netplan/generate
# ci_facts FORMAT DIR WHO FILE...: the facts of FILE (ours or cloud-init's) into DIR/WHO.
ci_facts() {
    local fmt=$1 d=$2 who=$3 root
    shift 3
    case $fmt in
        netplan)
            # What networkd gets: netplan generate's .network for the one definition.
            root=$d/$who-root
            mkdir -p "$root/etc/netplan"
            install -m 600 "$1" "$root/etc/netplan/$who.yaml"
            if "$netplan_generate" --root-dir "$root" 2>"$d/$who.netplan-log"; then
                awk -v fmt=networkd -f "$FACTS" "$root"/run/systemd/network/*.network
            else
                cat "$d/$who.netplan-log"
            fi
            ;;
        networkd) awk -v fmt=networkd -f "$FACTS" "$@" ;;
        nm_keyfile) awk -v fmt=nm -f "$FACTS" "$@" ;;
        ifcfg) awk -v fmt=ifcfg -f "$FACTS" "$@" ;;
        eni)
            ifup --no-act -i "$1" --state-dir "$d/$who-state" eth0 >"$d/$who.noact" 2>&1
            awk -v fmt=eni -f "$FACTS" "$1" "$d/$who.noact"
            ;;
    esac >"$d/$who" 2>&1
}

for c in "${ci_cases[@]}"; do
    read -r fmt case mac spec <<<"$c"
    d=$ci/$fmt-$case
    o=$d/out
    name="cloud-init $fmt $case"
    if [ -e "$d/log" ]; then
        bad "$name: cloud-init devel net-convert failed:"
        sed 's/^/    /' "$d/log"
        continue
    fi
    [ "$fmt" = eni ] && mac=- # interfaces(5) names the NIC; neither file has its MAC
    echo "$mac $spec" | awk -v fmt=spec -f "$FACTS" >"$d/want"
    case $fmt in
        netplan)
            ci_facts netplan "$d" ours "$G/netplan/$case.out"
            ci_facts netplan "$d" theirs "$o/etc/netplan/50-cloud-init.yaml"
            ;;
        networkd)
            ci_facts networkd "$d" ours "$G/networkd/$case.out"
            ci_facts networkd "$d" theirs "$o/etc/systemd/network/10-cloud-init-eth0.network"
            ;;
        eni)
            ci_facts eni "$d" ours "$G/eni/$case.out"
            ci_facts eni "$d" theirs "$o/etc/network/interfaces.d/50-cloud-init"
            ;;
        nm_keyfile)
            ci_facts nm_keyfile "$d" ours "$G/nm_keyfile/$case.out"
            ci_facts nm_keyfile "$d" theirs "$o/etc/NetworkManager/system-connections/cloud-init-eth0.nmconnection"
            ;;
        ifcfg)
            ours=("$G/ifcfg/$case.out")
            [ ! -e "$G/ifcfg/route-$case.out" ] || ours+=("$G/ifcfg/route-$case.out")
            ci_facts ifcfg "$d" ours "${ours[@]}"
            theirs=("$o/etc/sysconfig/network-scripts/ifcfg-eth0")
            for f in "$o/etc/sysconfig/network-scripts/route-eth0" "$o/etc/resolv.conf"; do
                [ ! -e "$f" ] || theirs+=("$f")
            done
            ci_facts ifcfg "$d" theirs "${theirs[@]}"
            ;;
    esac
    if ! diff -q "$d/want" "$d/ours" >/dev/null; then
        bad "$name: our golden does not describe the network (want, ours):"
        diff "$d/want" "$d/ours" | sed 's/^/    /'
        continue
    fi
    # Compare cloud-init's facts with the network's, line by line (mac, addr, gw, dns).
    agreed=() differ=() wrong=()
    while IFS=$'\t' read -r want theirs; do
        field=${want%% *}
        if [ "$want" = "$theirs" ]; then
            [ "$want" = "mac n/a" ] || agreed+=("$field")
        elif [ "${known["$fmt $case $field"]:-}" = "$theirs" ]; then
            differ+=("$field")
            echo "note $name: known difference (see \$known): cloud-init '$theirs', ours '$want'"
        else
            wrong+=("$field: cloud-init '$theirs', want '$want'")
        fi
    done < <(paste "$d/want" "$d/theirs")
    for field in mac addr gw dns; do
        if [ -n "${known["$fmt $case $field"]:-}" ] && [[ " ${differ[*]} " != *" $field "* ]]; then
            wrong+=("$field: the known difference is gone (update \$known and its comment)")
        fi
    done
    if [ ${#wrong[@]} -gt 0 ]; then
        bad "$name: ${wrong[*]}"
        sed 's/^/    /' "$d/theirs"
    else
        ok "$name agrees on ${agreed[*]}${differ[*]:+ (known difference: ${differ[*]})}"
    fi
done

# ---- the /32 with a gateway outside it, in the real consumers ---------------------------
# networkd_route FILE: systemd-networkd with FILE alone, in network and mount namespaces of
# its own, on a veth named eth0 holding the MAC (cloud-init's [Match] has Name=eth0 too);
# prints the address and routes once the address is there and networkd has had a moment to
# add the default route (it does so at once when it can).
networkd_route() {
    # shellcheck disable=SC2016 # expanded by the inner bash
    timeout 30 unshare --net --mount --propagation private bash -euc '
        mount -t tmpfs tmpfs /run
        mkdir -p /run/systemd/network /run/systemd/netif /run/udev/data
        chown systemd-network: /run/systemd/netif
        cp "$1" /run/systemd/network/10-t.network
        ip link add eth0 address 52:54:00:e1:96:eb type veth peer name eth0-peer
        ip link set eth0-peer up
        mount -t sysfs sysfs /sys
        for l in eth0 eth0-peer; do printf "I:1\n" >"/run/udev/data/n$(cat "/sys/class/net/$l/ifindex")"; done
        /lib/systemd/systemd-networkd >/run/log 2>&1 &
        nd=$!
        for i in $(seq 1 40); do
            if ip -4 route show dev eth0 | grep -q "^default"; then break; fi
            if [ "$i" -ge 10 ] && ip -4 addr show dev eth0 | grep -q inet; then break; fi
            sleep 0.1
        done
        ip -4 addr show dev eth0 | sed -n "s/.*inet \([^ ]*\).*/addr=\1/p"
        ip -4 route show dev eth0 | sed "s/^/route=/"
        kill "$nd"
        wait "$nd" || true
    ' sh "$1" 2>&1
}
if [ -x /lib/systemd/systemd-networkd ] && id systemd-network >/dev/null 2>&1 && unshare --net --mount true 2>/dev/null; then
    networkd_route "$G/networkd/offlink-32.out" >"$ci/networkd-ours"
    check "systemd-networkd installs our default route through an off-subnet gateway" "$ci/networkd-ours" \
        '^addr=172\.16\.0\.17/32$' '^route=default via 172\.16\.0\.1 proto static onlink'
    networkd_route "$ci/networkd-offlink-32/out/etc/systemd/network/10-cloud-init-eth0.network" >"$ci/networkd-theirs"
    if ! grep -qx 'addr=172.16.0.17/32' "$ci/networkd-theirs"; then
        bad "systemd-networkd did not apply cloud-init's file:"
        sed 's/^/    /' "$ci/networkd-theirs"
    elif grep -q '^route=default' "$ci/networkd-theirs"; then
        bad "systemd-networkd installed cloud-init's off-subnet default route: update \$known"
    else
        ok "systemd-networkd applies cloud-init's /32 address, not its off-subnet default route (known difference)"
    fi
else
    echo "skip systemd-networkd run: no systemd-networkd or no namespaces here"
fi
if command -v NetworkManager >/dev/null && unshare --net --mount --propagation private true 2>/dev/null; then
    # Given the priority ours has, so that it is the profile activated.
    nm_daemon_check ci-offlink "$ci/nm_keyfile-offlink-32/out/etc/NetworkManager/system-connections/cloud-init-eth0.nmconnection" \
        '/^\[connection\]/a autoconnect-priority=999'
    check "NetworkManager makes cloud-init's off-subnet gateway reachable by itself (agrees with ours)" \
        "$tmp/nmd-ci-offlink/result" '^connection=cloud-init eth0$' '^route=default via 172\.16\.0\.1 ' '^route=172\.16\.0\.1 .*scope link'
fi
# ifupdown: the route commands `ifup --no-act` printed, run in a network namespace holding
# eth0 with the /32 address (cloud-init's `|| true` dropped, to see what the kernel says).
if unshare -n true 2>/dev/null && command -v route >/dev/null; then
    for who in ours theirs; do
        # shellcheck disable=SC2016 # expanded by the inner sh
        unshare -n sh -uc '
            ip link add eth0 type veth peer name eth0-peer
            ip link set eth0 up
            ip addr add 172.16.0.17/32 dev eth0
            grep -E "^ *(ip route add|route add)" "$1" | sed "s/ || true$//" | while read -r cmd; do
                echo "+ $cmd"
                $cmd 2>&1
            done
            ip -4 route show | sed "s/^/route=/"
        ' sh "$ci/eni-offlink-32/$who.noact" >"$ci/eni-run-$who" 2>&1
    done
    check "ifupdown's commands for our /32 stanza add the default route" "$ci/eni-run-ours" '^route=default via 172\.16\.0\.1 dev eth0 onlink'
    if grep -q '^route=default' "$ci/eni-run-theirs"; then
        bad "cloud-init's eni post-up route added the off-subnet default route: update \$known"
    else
        ok "cloud-init's eni post-up route is refused by the kernel ($(grep -m1 SIOCADDRT "$ci/eni-run-theirs"))"
    fi
else
    echo "skip ifupdown route run: no network namespaces or no net-tools route here"
fi
