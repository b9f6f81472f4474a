"""Runs `cloud-init devel net-convert` several times in one interpreter (tests/consumers/cloud-init.sh).

Each line of the batch file is "DIR KIND DISTRO MAC": DIR/network_data.json is converted to
KIND for DISTRO into DIR/out, the NIC with MAC being eth0. The arguments go through the
subcommand's own parser and entry point, which is all the command line does after start-up.
A failure is written to DIR/log. At most one netplan conversion per batch: cloud-init 22.4's
netplan branch trims the leading '/' off the distro's shared netplan_path in place.
"""

import sys

from cloudinit.cmd.devel import net_convert

with open(sys.argv[1]) as batch:
    for line in batch:
        d, kind, distro, mac = line.split()
        argv = ["-p", d + "/network_data.json", "-k", "network_data.json", "-m", "eth0," + mac,
                "-D", distro, "-O", kind, "-d", d + "/out"]
        try:
            net_convert.handle_args("net-convert", net_convert.get_parser().parse_args(argv))
        except Exception as e:  # reported by the caller, case by case
            with open(d + "/log", "a") as log:
                log.write("net-convert failed: %r\n" % e)
