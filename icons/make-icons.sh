#!/usr/bin/env bash
# Makes the application icons from icons/pgpulse.svg. The results are committed, so neither the build nor CI
# runs this; run it again after changing the SVG.
#   PNGs pgpulse-<N>.png, N = 16 24 32 48 64 128 256 512 1024 (Linux menus and hicolor theme, Windows, macOS)
#   pgpulse.png  = the 256 px one (jpackage's --icon on Linux, and the .deb's menu entry)
#   pgpulse.ico  = 16 24 32 48 64 128 256 (Windows: jpackage --icon for exe/msi)
#   pgpulse.icns = 16 32 48 128 256 512 1024 (macOS: jpackage --icon for dmg/pkg)
# Needs (Debian): librsvg2-bin (rsvg-convert), imagemagick (convert), icnsutils (png2icns):
#   apt-get install librsvg2-bin imagemagick icnsutils
set -euo pipefail
cd "$(dirname "$0")"
for tool in rsvg-convert convert png2icns; do
  command -v "$tool" >/dev/null 2>&1 || { echo "make-icons: $tool is missing; apt-get install librsvg2-bin imagemagick icnsutils" >&2; exit 2; }
done
# ImageMagick's own "convert" must be the real one (some machines have a stand-in that only prints PNGs)
convert -version 2>/dev/null | grep -q ImageMagick || { echo "make-icons: convert is not ImageMagick's; apt-get install imagemagick" >&2; exit 2; }

sizes=(16 24 32 48 64 128 256 512 1024)
for n in "${sizes[@]}"; do
  # rsvg draws the vector at each size (sharper small icons than scaling one bitmap down); -strip keeps
  # the files free of timestamps, so running this again changes nothing when the SVG did not change
  rsvg-convert --width "$n" --height "$n" --keep-aspect-ratio pgpulse.svg -o "tmp-$n.png"
  convert "tmp-$n.png" -strip -define png:exclude-chunks=date,time "PNG32:pgpulse-$n.png"
  rm -f "tmp-$n.png"
done
cp pgpulse-256.png pgpulse.png
convert pgpulse-16.png pgpulse-24.png pgpulse-32.png pgpulse-48.png pgpulse-64.png pgpulse-128.png pgpulse-256.png pgpulse.ico
png2icns pgpulse.icns pgpulse-16.png pgpulse-32.png pgpulse-48.png pgpulse-128.png pgpulse-256.png pgpulse-512.png pgpulse-1024.png >/dev/null
echo "make-icons: wrote $(ls pgpulse-*.png | wc -l) PNGs, pgpulse.png, pgpulse.ico, pgpulse.icns in $(pwd)"
