#!/bin/sh
# Installs the real consumers of osconf's network files, for tests/consumers/run.sh:
# netplan.io (netplan generate), network-manager (NetworkManager/nmcli reading keyfiles),
# ifupdown (ifquery/ifup --no-act), and cloud-init for a differential check
# (`cloud-init devel net-convert`, tests/consumers/cloud-init.sh). Idempotent.
#
# None of them may take over this machine's network: --no-install-recommends, and a
# policy-rc.d answering 101 ("action forbidden") while they install, so no maintainer
# script starts NetworkManager or systemd-networkd. A policy-rc.d that was already there
# is kept as it was.
#
# cloud-init's maintainer scripts start nothing: they enable its systemd units and init
# scripts (symlinks, inert here: no systemd or init runs in this container, and its
# generator and ds-identify only run at a systemd boot). Should this machine ever boot
# with systemd, /etc/cloud/cloud-init.disabled (cloud-init's documented off switch,
# honoured by its generator) keeps it from running; `devel net-convert` ignores it.
# Its NetworkManager dispatcher hook does nothing without /run/cloud-init/enabled.
set -eu
pkgs="netplan.io network-manager ifupdown cloud-init"
missing=
for p in $pkgs; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

policy=/usr/sbin/policy-rc.d
ours=
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    ours=1
fi
trap 'if [ -n "$ours" ]; then rm -f "$policy"; fi' EXIT
case " $missing " in *" cloud-init "*)
    mkdir -p /etc/cloud
    touch /etc/cloud/cloud-init.disabled
    ;;
esac
apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is wanted
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
