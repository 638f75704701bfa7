#!/bin/sh
# embed.sh NAME FILE > OUT.c - a text file as the C array `const char *const NAME[]`,
# one string per line and a NULL at the end, so the binary carries its SQLite
# schema and needs no file beside it. (Lines, not one literal: C compilers need
# not take string literals over 4095 bytes.)
set -eu
name=${1:?usage: embed.sh NAME FILE}
file=${2:?usage: embed.sh NAME FILE}
printf '/* Generated from %s by scripts/embed.sh; do not edit. */\n' "$file"
printf '#include <stddef.h>\n\n'
printf 'extern const char *const %s[];\n' "$name"
printf 'const char *const %s[] = {\n' "$name"
# Escape backslashes and quotes; one C string literal per line.
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n",/' "$file"
printf '\tNULL,\n};\n'
