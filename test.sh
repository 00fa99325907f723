#!/usr/bin/env bash
# Runs every test: the library's unit tests, and every notebook in both the project's runner and the stock
# kernel (dotnet-repl, restored from the tool manifest).
set -euo pipefail
cd "$(dirname "$0")"
dotnet tool restore
dotnet test CamNotebooks.sln
