#!/usr/bin/env bash
# Sets everything up and runs the main job: restores tools and packages (exactly the versions in the committed
# packages.lock.json files), builds the book program (and with it the runner and the library that the notebooks load,
# artifacts/notebook-lib/; not the tests, benchmarks or probes), then executes every notebook in notebooks/ (only those
# that changed since the last run) and renders the offline book to out/book/ (open out/book/index.html).
set -euo pipefail
cd "$(dirname "$0")"
dotnet tool restore
dotnet restore lib/CamNotebooks.Book --locked-mode
dotnet build lib/CamNotebooks.Book -c Release --no-restore
dotnet run --project lib/CamNotebooks.Book -c Release --no-build -- build --notebooks notebooks --output out/book
