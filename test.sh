#!/usr/bin/env bash
# Runs every test: the library's unit tests, and every notebook in both the project's runner and the stock
# kernel (dotnet-repl, restored from the tool manifest).
set -euo pipefail
cd "$(dirname "$0")"
dotnet tool restore
# The book's browser tests drive the system's Chromium (Debian package); install it once where it is missing.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium
fi
dotnet test CamNotebooks.sln
