#!/usr/bin/env bash
# Sets everything up and runs the main job: restores tools and packages, builds the library that the notebooks load
# (artifacts/notebook-lib/), then executes every notebook in notebooks/ (only those that changed since the last run) and
# renders the offline book to out/book/ (open out/book/index.html).
set -euo pipefail
cd "$(dirname "$0")"
dotnet tool restore
dotnet build CamNotebooks.sln -c Release
dotnet run --project lib/CamNotebooks.Book -c Release --no-build -- build --notebooks notebooks --output out/book
