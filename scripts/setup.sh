#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine to build and test osconf, builds the static
# release binary, then runs scripts/demo.sh and tests/vm/run.sh demo.
#   bash scripts/setup.sh            install, build, demo
#   bash scripts/setup.sh --no-demo  install and build only (CI)
# Idempotent: apt is skipped when every package is already installed. Also
# installs what the VM tests need (QEMU, a cloud kernel, dracut-core,
# initramfs-tools-core, busybox-static; see tests/vm/run.sh).
set -eu

demo=yes
for arg in "$@"; do
    case $arg in
        --no-demo) demo=no ;;
        -h | --help)
            sed -n '2,9s/^# \{0,1\}//p' "$0"
            exit 0
            ;;
        *)
            echo "setup.sh: unknown argument: $arg (try --help)" >&2
            exit 2
            ;;
    esac
done

cd "$(dirname "$0")/.."

# xorriso: the config-drive ISOs of the tests and the demo.
# e2fsprogs: filesystem images for root tests. shellcheck: the dracut glue.
# gcc, libc6-dev: the linker (cc) for the musl target and for build scripts.
# diffutils: the demo's diff.
# attr (getfattr, setfattr): the xattr tests. strace, time, passwd (chpasswd):
# scripts/bench.sh (syscall count, peak RSS, the vendor script).
# inotify-tools (inotifywait): tests/hostile.rs watches the tree outside a hostile
# root for any open, read or write while osconf runs.
packages=(xorriso e2fsprogs shellcheck gcc libc6-dev diffutils attr strace time passwd inotify-tools)
# The VM tests (tests/vm/run.sh): dracut-core, not dracut (which conflicts
# with initramfs-tools); systemd for dracut's systemd module; busybox-static
# for the test root; socat to talk QMP (the late CD); debootstrap for the
# Debian roots of tests/vm/matrix.sh.
vm_packages=(dracut-core initramfs-tools-core systemd busybox-static socat debootstrap)
# The kernel under test, installed with INITRD=No: its own initramfs is never
# used (the tests build theirs), so its postinst skips building one.
kernel_package=linux-image-cloud-amd64
# On Debian 12 the qemu-system-x86 of bookworm conflicts with the newer
# qemu-utils some images carry; the one from bookworm-backports installs
# beside it.
qemu_package=qemu-system-x86

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
fi

not_installed() {
    local p
    for p in "$@"; do
        if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
            echo "$p"
        fi
    done
}

apt_updated=no
apt_install() {
    if [ "$apt_updated" = no ]; then
        echo "==> apt-get update"
        "${sudo[@]}" apt-get update
        apt_updated=yes
    fi
    echo "==> apt-get install $*"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive INITRD=No \
        apt-get install -y --no-install-recommends "$@"
}

codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release 2>/dev/null || true)
mapfile -t missing < <(not_installed "${packages[@]}" "${vm_packages[@]}" "$kernel_package")
mapfile -t missing_qemu < <(not_installed "$qemu_package")
if [ "${#missing[@]}" -eq 0 ] && [ "${#missing_qemu[@]}" -eq 0 ]; then
    echo "==> Debian packages: all present (${packages[*]} ${vm_packages[*]} $kernel_package $qemu_package)"
fi
if [ "${#missing_qemu[@]}" -gt 0 ] && [ "$codename" = bookworm ]; then
    if ! grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        echo "==> adding bookworm-backports to /etc/apt/sources.list.d/bookworm-backports.list"
        echo 'deb http://deb.debian.org/debian bookworm-backports main' |
            "${sudo[@]}" tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
    fi
    apt_install -t bookworm-backports "$qemu_package"
elif [ "${#missing_qemu[@]}" -gt 0 ]; then
    missing+=("$qemu_package")
fi
if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
fi
if ! compgen -G "/boot/vmlinuz-*-cloud-amd64" >/dev/null; then
    echo "setup.sh: $kernel_package is installed but there is no /boot/vmlinuz-*-cloud-amd64" >&2
    exit 1
fi

# The real consumers of the network files (tests/consumers/run.sh): netplan.io,
# network-manager, ifupdown, and cloud-init for a differential check, installed without
# starting any of them.
echo "==> tests/consumers/setup.sh (netplan.io, network-manager, ifupdown, cloud-init; no service started)"
sh tests/consumers/setup.sh

if ! command -v cargo >/dev/null || ! command -v rustup >/dev/null; then
    echo "setup.sh: cargo and rustup are expected to be installed already (https://rustup.rs)" >&2
    exit 1
fi

installed_targets=$(rustup target list --installed)
for t in x86_64-unknown-linux-musl x86_64-unknown-none; do
    if grep -qx "$t" <<<"$installed_targets"; then
        echo "==> rust target $t: present"
    else
        echo "==> rustup target add $t"
        rustup target add "$t"
    fi
done
installed_components=$(rustup component list --installed)
for c in rustfmt clippy; do
    if ! grep -q "^$c" <<<"$installed_components"; then
        echo "==> rustup component add $c (scripts/test.sh uses it)"
        rustup component add "$c"
    fi
done

# The fuzz targets (scripts/fuzz.sh; scripts/test.sh runs its smoke): cargo-fuzz, from
# crates.io. It builds them with the stable toolchain (no sanitizer, so no -Z flag).
if cargo fuzz --version >/dev/null 2>&1; then
    echo "==> cargo-fuzz: present"
else
    echo "==> cargo install --locked cargo-fuzz (scripts/fuzz.sh)"
    cargo install --locked cargo-fuzz
fi

echo "==> cargo build --release --target x86_64-unknown-linux-musl"
cargo build --release --target x86_64-unknown-linux-musl
bin=target/x86_64-unknown-linux-musl/release/osconf
echo "==> built $bin ($(stat -c %s "$bin") bytes)"

if [ "$demo" = yes ]; then
    echo "==> bash scripts/demo.sh"
    bash scripts/demo.sh
    echo
    echo "==> bash tests/vm/run.sh demo (the same CD, booted for real in QEMU)"
    OSCONF_BIN=$PWD/$bin bash tests/vm/run.sh demo
fi
