#!/usr/bin/env bash
# Sets everything up and runs the main job: restores tools and packages, builds the library that the notebooks load
# (artifacts/notebook-lib/), then executes every notebook in notebooks/ and writes the executed copies to out/notebooks/.
set -euo pipefail
cd "$(dirname "$0")"
dotnet tool restore
dotnet build CamNotebooks.sln -c Release
dotnet run --project lib/CamNotebooks.Runner -c Release --no-build -- run notebooks --output out/notebooks
