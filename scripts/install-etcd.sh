#!/bin/sh
# Installs the performance and behaviour peer of `adore bench`: etcd 3.4 from Debian's packages.
set -e
if command -v etcd >/dev/null 2>&1; then echo "etcd already installed: $(etcd --version | head -1)"; exit 0; fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq etcd-server etcd-client
# the Debian package enables a system service; the benchmark starts its own members on loopback
$SUDO systemctl disable --now etcd >/dev/null 2>&1 || true
etcd --version | head -1
