#!/usr/bin/env bash
# Installs the tools some tests need beyond the JDK and Maven: tshark, which checks the pcap
# captures of the simulated wire (drivers module). Idempotent and non-interactive; installing
# needs root (run as root, or with passwordless sudo). Tests that need a missing tool are skipped
# with a message naming this script, so the build still passes without it.
set -euo pipefail

say() { printf 'install-test-tools: %s\n' "$*"; }

if command -v tshark >/dev/null 2>&1; then
  say "tshark already installed: $(tshark --version 2>/dev/null | head -n1)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    say "tshark is missing and installing it needs root: run this script as root" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  say "tshark is missing and this is not a Debian/Ubuntu system: install tshark (Wireshark) with your package manager" >&2
  exit 1
fi

# wireshark-common asks whether non-root users may capture packets; we only read files: answer no.
say "preseeding debconf: wireshark-common/install-setuid = false (no capture rights for non-root users)"
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
say "apt-get update"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
say "apt-get install tshark"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends tshark
say "installed: $(tshark --version 2>/dev/null | head -n1)"
