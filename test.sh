#!/usr/bin/env bash
# Runs every test: the library's unit tests, and every notebook in both the project's runner and the stock kernel
# (dotnet-repl, restored from the tool manifest). Arguments go to `dotnet test` (--filter, --logger ...).
set -euo pipefail
cd "$(dirname "$0")"
dotnet tool restore
# The book's browser tests drive the system's Chromium (Debian package); install it once where it is missing.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium
fi
# The Jupyter tests use Debian's nbformat validator and nbconvert (with the .NET kernel from the tool manifest).
if [ ! -x /usr/bin/jupyter-nbconvert ] && command -v apt-get >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y jupyter-nbconvert python3-nbformat jupyter-client
fi
# Exactly the packages in the committed lock files: a version the registry no longer serves fails here, at once.
dotnet restore CamNotebooks.sln --locked-mode
dotnet test CamNotebooks.sln --no-restore "$@"
