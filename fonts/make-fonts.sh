#!/usr/bin/env bash
# Remakes the fonts in this folder from Debian's packages (see README.md here). Not part
# of the build: these fonts are committed, and the app embeds them with include_bytes!
# (the other scripts' fonts are read at run time from Debian's installed packages).
# Needs apt-get (Debian's mirror), dpkg-deb and Python 3 with pip (for fonttools).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

apt-get download fonts-noto-core=20201225-1 'fonts-noto-cjk=1:20220127+repack1-1'
dpkg-deb -x fonts-noto-core_*.deb core
dpkg-deb -x fonts-noto-cjk_*.deb cjk
python3 -m pip install --quiet --target "$work/py" 'fonttools==4.*'
export PYTHONPATH="$work/py"

noto=core/usr/share/fonts/truetype/noto
cp "$noto/NotoSans-Regular.ttf" "$noto/NotoSans-Bold.ttf" \
   "$noto/NotoNaskhArabic-Regular.ttf" "$noto/NotoSansHebrew-Regular.ttf" "$here/"

# Chinese: every hanzi of GB 2312 (levels 1 and 2, 6,763 characters), CJK punctuation,
# Japanese kana and the full-width forms, from Noto Sans CJK SC (font 2 of the
# collection), without hinting.
python3 - > unicodes.txt <<'EOF'
for hi in range(0xB0, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            print("U+%04X" % ord(bytes([hi, lo]).decode("gb2312")))
        except UnicodeDecodeError:
            pass
print("U+3000-303F")  # CJK symbols and punctuation
print("U+3040-30FF")  # hiragana, katakana
print("U+FF00-FFEF")  # half-width and full-width forms
EOF
python3 -m fontTools.subset cjk/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
  --font-number=2 --unicodes-file=unicodes.txt --no-hinting \
  --output-file="$here/NotoSansCJKsc-Regular-GB2312.otf"

# The last resort: the characters of a code point ("U+1F41D") from Noto Sans, renamed so
# that it is a font of its own in the PDF.
python3 -m fontTools.subset "$noto/NotoSans-Regular.ttf" \
  --unicodes="U+0020,U+002B,U+0030-0039,U+0041-0046,U+0055" --no-hinting --name-IDs='*' \
  --output-file=codepoints.ttf
python3 - codepoints.ttf "$here/NotoSansCodePoints-Regular.ttf" <<'EOF_PY'
import sys
from fontTools.ttLib import TTFont
font = TTFont(sys.argv[1])
names = {1: "Noto Sans Code Points", 3: "2.004;GOOG;NotoSansCodePoints-Regular",
         4: "Noto Sans Code Points Regular", 6: "NotoSansCodePoints-Regular"}
for record in list(font["name"].names):
    if record.nameID in names:
        font["name"].setName(names[record.nameID], record.nameID, record.platformID,
                             record.platEncID, record.langID)
font.save(sys.argv[2])
EOF_PY
ls -l "$here"
