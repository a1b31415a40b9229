#!/usr/bin/env bash
# Fetches the theme's fonts from the npm registry (Fontsource packages, SIL Open Font License),
# cuts them down to the characters the editions write (fontTools' pyftsubset, from PyPI) and
# writes them to static/fonts/, where they are embedded in the binary. Run it to update them;
# the files are committed, so a build needs no network.
#
#   Newsreader, 400 and 700, Latin      text and headlines on French and English pages
#                                       (drawn for news; no Reserved Font Name, so a subset may
#                                       keep its name)
#   Noto Kufi Arabic, 700, Arabic       headlines and bold on Arabic pages (tighter than Naskh)
#   Noto Naskh Arabic, 400              text on Arabic pages
#
# The Latin subset keeps Basic Latin, the letters French, Spanish and German names use, « » ° ·
# ©, œ Œ Ÿ, typographic quotes, dashes, the narrow no-break space French puts before « : ; ? ! »
# and the euro sign (anything else falls back to the system's serif); the Arabic one keeps the
# Arabic block (Arabic, Darija and Persian letters, harakat, both digit sets) and the joiners.
# The stylesheet declares the same ranges in `unicode-range`, so a page downloads a face only
# when it shows a character of it.
#
# Bytes are counted (a French article's first visit should stay under 60 KB on a phone, see
# bench/page-weight.sh): the headline face keeps its kerning, which shows at large sizes, and
# the text face drops it (6 KB of its 15); Arabic bold is the Kufi face, so no bold Naskh.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pyftsubset >/dev/null || pip install --quiet fonttools brotli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() {
    local package=$1 version=$2
    (cd "$work" && npm pack --silent "$package@$version" >/dev/null)
    mkdir -p "$work/$package"
    tar xzf "$work"/fontsource-*"$(basename "$package")"-"$version".tgz -C "$work/$package"
}
latin="U+0020-007E,U+00A0,U+00A9,U+00AB,U+00B0,U+00B7,U+00BB,U+00C0-00C2,U+00C4,U+00C6-00CB,U+00CE-00CF,U+00D1,U+00D4,U+00D6,U+00D9,U+00DB-00DC,U+00E0-00E2,U+00E4,U+00E6-00EB,U+00ED-00EF,U+00F1,U+00F3-00F4,U+00F6,U+00F9-00FC,U+00FF,U+0152-0153,U+0178,U+2009,U+2013-2014,U+2018-201A,U+201C-201E,U+2022,U+2026,U+202F,U+2039-203A,U+20AC"
arabic="U+0020,U+00A0,U+0600-06FF,U+200C-200F,U+FD3E-FD3F"
subset() {
    local from=$1 unicodes=$2 features=$3 to=$4
    shift 4
    pyftsubset "$from" --unicodes="$unicodes" --layout-features="$features" --flavor=woff2 \
        --output-file="static/fonts/$to" "$@"
}
fetch @fontsource/newsreader 5.3.0
fetch @fontsource/noto-kufi-arabic 5.3.0
fetch @fontsource/noto-naskh-arabic 5.3.0
serif="$work/@fontsource/newsreader/package/files"
kufi="$work/@fontsource/noto-kufi-arabic/package/files"
naskh="$work/@fontsource/noto-naskh-arabic/package/files"
# Hinting is dropped: today's screens do not use it, and it is a tenth of the file.
subset "$serif/newsreader-latin-400-normal.woff2" "$latin" "" newsreader-400.woff2 --no-hinting --desubroutinize
subset "$serif/newsreader-latin-700-normal.woff2" "$latin" "kern" newsreader-700.woff2 --no-hinting --desubroutinize
# Arabic shaping lives in the layout features (init, medi, fina, rlig, mark…): keep them all.
subset "$kufi/noto-kufi-arabic-arabic-700-normal.woff2" "$arabic" "*" noto-kufi-arabic-700.woff2
subset "$naskh/noto-naskh-arabic-arabic-400-normal.woff2" "$arabic" "*" noto-naskh-arabic-400.woff2
ls -l static/fonts/*.woff2
echo "fonts updated in static/fonts/ (licence: static/fonts/OFL.txt)"
