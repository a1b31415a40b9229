#!/usr/bin/env bash
# Draws Gazette's default icons: the "G" of the nameplate's face (Newsreader 700, taken from
# static/fonts by fontTools) in white on the theme's red. static/icon.svg is the favicon
# (rounded corners); icon-180.png (Apple), icon-192.png and icon-512.png (web manifest,
# "maskable": full bleed, the letter inside the safe circle) are rendered by headless
# Chromium. A site that uploads its own logo in the settings gets icons made from it instead.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pyftsubset >/dev/null || pip install --quiet fonttools brotli
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
path=$(python3 - <<'PY'
from fontTools.ttLib import TTFont
from fontTools.pens.svgPathPen import SVGPathPen
font = TTFont("static/fonts/newsreader-700.woff2")
glyphs = font.getGlyphSet()
pen = SVGPathPen(glyphs)
glyphs[font.getBestCmap()[ord("G")]].draw(pen)
print(pen.getCommands())
PY
)
# The glyph's box is 79..1529 by -26..1426 font units: centre it, y pointing down.
letter="<path fill=\"#fff\" transform=\"translate(256 262) scale(.215 -.215) translate(-804 -700)\" d=\"$path\"/>"
echo "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 512 512\"><rect width=\"512\" height=\"512\" rx=\"96\" fill=\"#a3141f\"/>$letter</svg>" > static/icon.svg
echo "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 512 512\"><rect width=\"512\" height=\"512\" fill=\"#a3141f\"/>$letter</svg>" > "$work/square.svg"
echo "<!doctype html><body style=\"margin:0\"><img src=\"square.svg\" style=\"display:block;width:100vw;height:100vh\">" > "$work/page.html"
for size in 180 192 512; do
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
        --window-size="$size,$size" --screenshot="static/icon-$size.png" "file://$work/page.html" 2>/dev/null
done
ls -l static/icon*
