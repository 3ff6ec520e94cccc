#!/bin/sh
# t_version.sh - one version everywhere.
#
# The version is written once, as MCAST_VERSION_MAJOR/MINOR/PATCH in
# include/mcast.h. The Makefile reads it for the shared library's file name
# and mcast.pc (t_symbols.sh and t_install.sh check those), the manuals'
# .TH lines name it (t_help_man.sh, t_man_pages.sh); this checks the rest:
# what `mcast --version` prints, and that the newest entries of CHANGELOG.md
# and debian/changelog are this version, so a release cannot forget one.
# shellcheck source=tests/doc/tap.sh
. "$(dirname "$0")/tap.sh"

check "include/mcast.h gives a version N.N.N ($version)" \
	sh -c 'echo "$1" | grep -qxE "[0-9]+\.[0-9]+\.[0-9]+"' sh "$version"
same "mcast --version" "mcast $version (libmcast $version)" "$("$MCAST" --version 2>&1)"
same "make -s version prints it" "$version" \
	"$(MAKEFLAGS='' make -s --no-print-directory -C "$root" version 2>&1)"

top=$(sed -n 's/^## \([^ ]*\).*/\1/p' "$root/CHANGELOG.md" | head -n 1)
same "the newest version in CHANGELOG.md" "$version" "$top"
# A native package: its version is the upstream one, no Debian revision.
deb=$(sed -n '1s/^mcast (\([^)]*\)).*/\1/p' "$root/debian/changelog")
same "the newest version in debian/changelog" "$version" "$deb"
finish
