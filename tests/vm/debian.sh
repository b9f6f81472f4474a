# shellcheck shell=bash
# Real Debian 12 roots for the VM matrix (tests/vm/matrix.sh): one debootstrap
# root per network stack, cached under $work/cache, and the test unit that
# reports from inside the booted system. Sourced after lib.sh; needs: repo,
# work.
# shellcheck disable=SC2154 # repo, work

DEB_SUITE=bookworm
DEB_MIRROR=${OSCONF_VM_DEB_MIRROR:-http://deb.debian.org/debian}
# shellcheck disable=SC2034 # used by matrix.sh
DEB_STACKS="networkd nm netplan ifupdown"

# Root's password hash in every Debian root before osconf runs (a throwaway:
# openssl passwd -6 -salt vmdebianroot0001 debian-before). The CD's differs.
# shellcheck disable=SC2016 # a literal hash
DEB_ROOT_HASH='$6$vmdebianroot0001$b7Tmsy3RQnTXAClJpGsXtkVFZZkKE7aGHYvMvLLwsrSfbk90Q7XbJuBKpTkwh5tRzovNSei2BvteOhp2Ontx60'

# deb_packages STACK: the --include list (comma-separated) over --variant=minbase.
# No kernel: the harness boots its own with -kernel/-initrd.
deb_packages() {
    local common=systemd-sysv,udev,iproute2,dbus
    case $1 in
        networkd) echo "$common" ;;
        nm) echo "$common,libpam-systemd,network-manager" ;; # polkitd needs a logind
        netplan) echo "$common,netplan.io" ;;
        ifupdown) echo "$common,ifupdown,isc-dhcp-client" ;;
        *)
            echo "debian.sh: no stack $1" >&2
            return 1
            ;;
    esac
}

# The files deb_customise writes (the test unit and its script), as text, so
# they are part of the image's cache key.
deb_vmcheck_unit() {
    cat <<'EOF'
[Unit]
Description=osconf VM check: report the network, hostname and root hash on ttyS0, then power off
Wants=network-online.target
After=network-online.target multi-user.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/osconf-vmcheck
StandardOutput=tty
StandardError=tty
TTYPath=/dev/ttyS0
TimeoutStartSec=180

[Install]
WantedBy=multi-user.target
EOF
}

deb_vmcheck_script() {
    cat <<'EOF'
#!/bin/sh
# osconf VM check (test root only): prints vmcheck: lines to the serial
# console. Root's hash is printed only as a sha256.
say() { echo "vmcheck: $*"; }
read -r up _ </proc/uptime
say "start at uptime $up"
# network-online.target may be reached before the address is there (no
# wait-online service for some stacks): wait up to 30 s for a default route.
i=0
while [ $i -lt 60 ] && ! ip -4 route show default | grep -q .; do
    sleep 0.5
    i=$((i + 1))
done
for n in /sys/class/net/*; do
    n=${n##*/}
    [ "$n" = lo ] && continue
    say "nic: $n $(cat "/sys/class/net/$n/address") $(cat "/sys/class/net/$n/operstate")"
done
ip -4 -o addr show | while read -r _ dev _ addr _; do
    [ "$dev" = lo ] || say "ip: $dev $addr"
done
ip -4 route show | while read -r line; do say "route: $line"; done
say "hostname: $(hostname)"
say "etc-hostname: $(cat /etc/hostname)"
say "shadow: $(grep '^root:' /etc/shadow | cut -d: -f2 | tr -d '\n' | sha256sum | cut -d' ' -f1)"
say "getent: $(getent shadow root | cut -d: -f2 | tr -d '\n' | sha256sum | cut -d' ' -f1)"
say "hosts: $(grep -v '^#' /etc/hosts | tr '\t\n' ' ;')"
say "resolv.conf: $(if [ -L /etc/resolv.conf ]; then echo "symlink"; fi) $(grep nameserver /etc/resolv.conf | tr '\n' ';')"
for f in /etc/systemd/network/*.network /etc/netplan/*.yaml /etc/NetworkManager/system-connections/* \
    /etc/network/interfaces /etc/network/interfaces.d/* /run/systemd/network/*.network; do
    [ -f "$f" ] && say "file: $f"
done
if command -v networkctl >/dev/null && systemctl -q is-active systemd-networkd; then
    networkctl --no-pager --no-legend list 2>&1 | sed 's/^/vmcheck: networkctl: /'
fi
if command -v nmcli >/dev/null; then
    nmcli -t -f NAME,DEVICE,STATE connection show 2>&1 | sed 's/^/vmcheck: nmcli: /'
fi
if command -v ifquery >/dev/null; then
    say "ifquery --state: $(ifquery --state 2>&1 | tr '\n' ' ')"
fi
systemctl --no-pager --failed --no-legend 2>&1 | sed 's/^/vmcheck: failed unit: /'
say "done, powering off"
systemctl --no-block poweroff
EOF
}

# The stack's own configuration, as a distribution image would ship it.
deb_stack_files() {
    local d=$1
    case $2 in
        networkd)
            mkdir -p "$d/etc/systemd/network"
            printf '%s\n' '[Match]' 'Name=en*' '' '[Network]' 'DHCP=yes' >"$d/etc/systemd/network/20-wired.network"
            chroot "$d" systemctl enable systemd-networkd.service systemd-networkd-wait-online.service >/dev/null 2>&1
            ;;
        nm) ;; # the package enables NetworkManager; it makes "Wired connection 1" (DHCP) itself
        netplan)
            mkdir -p "$d/etc/netplan"
            cat >"$d/etc/netplan/50-cloud-init.yaml" <<EOF
# This file is generated from information provided by the datasource.  Changes
# to it will not persist across an instance reboot.
network:
    version: 2
    renderer: networkd
    ethernets:
        eth0:
            dhcp4: true
            match:
                macaddress: ${VM_MAC,,}
EOF
            chmod 0600 "$d/etc/netplan/50-cloud-init.yaml"
            ;;
        ifupdown)
            # What debian-installer writes for the first NIC, by its predictable name.
            cat >"$d/etc/network/interfaces" <<EOF
# This file describes the network interfaces available on your system
# and how to activate them. For more information, see interfaces(5).

source /etc/network/interfaces.d/*

# The loopback network interface
auto lo
iface lo inet loopback

# The primary network interface
allow-hotplug $DEB_IFNAME
iface $DEB_IFNAME inet dhcp
EOF
            ;;
    esac
}

# The predictable name of the virtio NIC in QEMU's pc machine as the matrix
# boots it (-nodefaults, virtio disk first): PCI slot 2 (seen in the boots).
DEB_IFNAME=ens2

# deb_customise DIR STACK: the test root's own settings on a debootstrap tree.
deb_customise() {
    local d=$1
    printf 'debian\n' >"$d/etc/hostname"
    printf '127.0.0.1\tlocalhost\n127.0.1.1\tdebian\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$d/etc/hosts"
    # A regular resolv.conf (no resolved, no resolvconf) so osconf rewrites it.
    rm -f "$d/etc/resolv.conf"
    printf 'nameserver 192.168.122.1\n' >"$d/etc/resolv.conf"
    printf '/dev/vda / ext4 defaults 0 0\n' >"$d/etc/fstab"
    sed -i "s|^root:[^:]*:|root:$DEB_ROOT_HASH:|" "$d/etc/shadow"
    : >"$d/etc/machine-id"
    # The console is ours: no login prompt on ttyS0.
    ln -sf /dev/null "$d/etc/systemd/system/serial-getty@ttyS0.service"
    mkdir -p "$d/usr/local/sbin"
    deb_vmcheck_script >"$d/usr/local/sbin/osconf-vmcheck"
    chmod 0755 "$d/usr/local/sbin/osconf-vmcheck"
    deb_vmcheck_unit >"$d/etc/systemd/system/osconf-vmcheck.service"
    chroot "$d" systemctl enable osconf-vmcheck.service >/dev/null 2>&1
    deb_stack_files "$d" "$2"
}

deb_key() {
    { deb_packages "$1"; echo "$DEB_SUITE $DEB_MIRROR"; } | sha256sum | cut -c1-12
}

# deb_root STACK: prints the path of the stack's root image, building what is
# missing: the debootstrap tree (keyed by the package list) and the image
# (keyed by the tree and by deb_customise and the files it writes).
deb_root() {
    local stack=$1 tree img key ikey t0
    key=$(deb_key "$stack")
    tree=$work/cache/debootstrap-$stack-$key
    mkdir -p "$work/cache"
    if [ ! -e "$tree/.osconf-complete" ]; then
        t0=$SECONDS
        rm -rf "$tree"
        vm_say "debootstrap $stack: --variant=minbase --include=$(deb_packages "$stack")"
        debootstrap --variant=minbase --include="$(deb_packages "$stack")" \
            "$DEB_SUITE" "$tree" "$DEB_MIRROR" >"$tree.log" 2>&1 || {
            tail -n 20 "$tree.log" >&2
            return 1
        }
        rm -rf "$tree"/var/cache/apt/archives/*.deb "$tree"/var/lib/apt/lists/*_Packages
        echo "$((SECONDS - t0))" >"$tree/.osconf-complete"
        vm_say "debootstrap $stack: $((SECONDS - t0)) s, $(du -sm "$tree" | cut -f1) MiB"
    fi
    ikey=$({
        echo "$key"
        declare -f deb_customise deb_stack_files
        deb_vmcheck_unit
        deb_vmcheck_script
        echo "$DEB_ROOT_HASH $DEB_IFNAME $VM_MAC"
    } | sha256sum | cut -c1-12)
    img=$work/cache/debian-$stack-$ikey.img
    if [ ! -e "$img" ]; then
        t0=$SECONDS
        local stage=$work/cache/stage-$stack
        rm -rf "$stage"
        cp -a "$tree" "$stage"
        rm -f "$stage/.osconf-complete"
        deb_customise "$stage" "$stack"
        rm -f "$img.tmp"
        mke2fs -q -F -t ext4 -L debroot -E root_owner=0:0 -d "$stage" "$img.tmp" 1536M >"$img.log" 2>&1
        mv "$img.tmp" "$img"
        rm -rf "$stage"
        # Older images of this stack are stale.
        find "$work/cache" -maxdepth 1 -name "debian-$stack-*.img" ! -name "${img##*/}" -delete
        vm_say "image $stack: $((SECONDS - t0)) s, $(du -m "$img" | cut -f1) MiB used of 1536"
    fi
    echo "$img"
}
