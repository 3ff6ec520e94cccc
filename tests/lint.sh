#!/bin/sh
# lint.sh - static checks that CI runs: banned functions (as curl does),
# cppcheck and clang-tidy (configured in .clang-tidy), and the fuzz targets
# compiled for errors. Exits non-zero on any finding. Needs cppcheck and
# clang-tidy (Debian packages of those names).
set -u
cd "$(dirname "$0")/.." || exit 1
status=0

# Functions with no bounds or no error reporting: use snprintf, memcpy
# with a checked length, strtoul with an end pointer.
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok|tmpnam)[[:space:]]*\('
if grep -nE "$banned" src/lib/*.c src/cli/*.c include/*.h examples/*.c 2>/dev/null; then
	echo "lint: banned functions above" >&2
	status=1
fi

# The tool's files stay small (docs/DESIGN.md, "Rules that keep it this
# shape"): files in src/cli/ under about 500 lines, functions under about
# 60, counted from a function's opening brace at column 0 to its closing
# one. The limits here leave a little room over "about".
for f in src/cli/*.c src/cli/*.h; do
	n=$(wc -l <"$f")
	if [ "$n" -gt 520 ]; then
		echo "$f: $n lines, more than 520: split it by concern" >&2
		status=1
	fi
done
long=$(awk -v max=65 '
	FNR == 1 { start = 0 }
	/^[A-Za-z_].*\(/ && !/;[ \t]*$/ { head = $0 }
	/^\{/ { start = FNR; name = head }
	/^\}/ && start {
		if (FNR - start + 1 > max)
			printf "%s:%d: %s: %d lines, more than %d\n", FILENAME, start, name,
				FNR - start + 1, max
		start = 0
	}' src/cli/*.c)
if [ -n "$long" ]; then
	printf '%s\n' "$long" >&2
	echo "lint: functions above are longer than 65 lines: split them" >&2
	status=1
fi
jobs=$(nproc 2>/dev/null || echo 1)
if command -v cppcheck >/dev/null; then
	cppcheck -q -j "$jobs" --enable=warning,portability,performance --std=c11 \
		--error-exitcode=1 -Iinclude -Isrc src || status=1
else
	echo "lint: cppcheck missing (Debian package cppcheck)" >&2
	status=1
fi

if command -v clang-tidy >/dev/null; then
	# One file per run, as many at once as there are CPUs; xargs exits
	# non-zero when any of them did.
	printf '%s\n' src/lib/*.c src/cli/*.c |
		xargs -P "$jobs" -I{} clang-tidy -quiet {} -- -std=gnu11 -D_GNU_SOURCE \
			-Iinclude -Isrc 2>/dev/null || status=1
else
	echo "lint: clang-tidy missing (Debian package clang-tidy)" >&2
	status=1
fi
# The fuzz targets are built only by `make fuzz` (clang, libFuzzer): a
# change to an internal header must not break them unseen until then.
for f in fuzz/fuzz_*.c; do
	${CC:-cc} -fsyntax-only -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc -Wall -Wextra \
		-Werror -Wno-missing-field-initializers "$f" ||
		{ echo "lint: $f does not compile" >&2; status=1; }
done

[ $status = 0 ] && echo "lint: clean"
exit $status
