#!/bin/sh
# Installs the browser of explorer-web's browser test (playwright-core drives it): Debian's chromium.
# Idempotent: does nothing when a chromium is already there. scripts/test.mjs runs it when CI is set.
set -e
for c in "${ADORE_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$c" ] && [ -x "$c" ]; then echo "chromium already installed: $("$c" --version 2>/dev/null | tail -1)"; exit 0; fi
done
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium
chromium --version | tail -1
