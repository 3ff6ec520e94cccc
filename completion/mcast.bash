# bash completion for mcast(1): subcommands, their options, interface names.
#
# The lists are not kept here: they are read from `mcast --help` and
# `mcast COMMAND --help` (or `mcast bench send --help`, for a command with
# subcommands of its own) each time TAB is pressed, so they cannot fall
# behind the binary being completed (whichever mcast the command line
# names). Running it takes a millisecond, is bounded by timeout(1) when
# available, and only ever asks for the --help of commands mcast listed.
#
# Installed as $(PREFIX)/share/bash-completion/completions/mcast; to try it
# from the source tree: `. completion/mcast.bash`.

# _mcast_run MCAST ARGS...: run mcast for its help text, at most 2 seconds.
_mcast_run()
{
	local bin=$1
	shift
	if type -P timeout >/dev/null 2>&1; then
		timeout 2 "$bin" "$@" 2>/dev/null </dev/null
	else
		"$bin" "$@" 2>/dev/null </dev/null
	fi
}

# _mcast_commands MCAST: the subcommands under "Commands:" in `mcast --help`.
_mcast_commands()
{
	_mcast_run "$1" --help | awk '
		/^Commands:/ { c = 1; next }
		c && /^[ \t]*$/ { exit }
		c && /^ +[a-z]/ { print $1 }'
}

# _mcast_subcommands MCAST COMMAND: the subcommands of a command whose usage
# lines name them ("Usage: mcast bench send ...", "       mcast bench recv
# ..."); nothing for a command that takes options right away.
_mcast_subcommands()
{
	_mcast_run "$1" "$2" --help | awk -v cmd="$2" '
		NR == 1 && !/^Usage:/ { exit }
		/^[ \t]*$/ { exit }
		{
			sub(/^Usage:/, "")
			if ($1 == "mcast" && $2 == cmd && $3 ~ /^[a-z][a-z0-9-]*$/)
				print $3
		}'
}

# _mcast_options MCAST COMMAND...: the options in `mcast COMMAND... --help`
# (COMMAND... is "send", or "bench send"), one line each: NAME ARG VALUES
# WORDS, tab-separated, "-" for none.
#   NAME    -i or --interface
#   ARG     the argument's name (IFACE, N, ...) when the option takes one
#   VALUES  the values of an optional argument, "raw" for --stdin[=raw]
#   WORDS   words the description quotes ('all'): literal arguments
# An option line is indented by at most 8 spaces and starts with "-"; deeper
# lines continue the description above. An argument name follows its option
# after one space (FILE|DIR: one of two); two or more start the description.
_mcast_options()
{
	_mcast_run "$@" --help | awk '
	function flush(   i) {
		for (i = 1; i <= nn; i++)
			printf "%s\t%s\t%s\t%s\n", names[i], arg, vals,
			       words == "" ? "-" : substr(words, 2)
		nn = 0
	}
	function quoted(text,   w) {
		while (match(text, /\047[^\047 ]+\047/)) {
			w = substr(text, RSTART + 1, RLENGTH - 2)
			if (index(" " words " ", " " w " ") == 0)
				words = words " " w
			text = substr(text, RSTART + RLENGTH)
		}
	}
	/^[^ ]/ || /^[ \t]*$/ { flush(); next }
	{
		match($0, /^ */)
		if (RLENGTH > 8 || substr($0, RLENGTH + 1, 1) != "-") {
			if (nn) quoted($0)
			next
		}
		flush()
		rest = substr($0, RLENGTH + 1)
		arg = "-"; vals = "-"; words = ""; sep = ""; last = ""
		while (rest != "") {
			match(rest, /^[^ ]+/)
			w = substr(rest, 1, RLENGTH)
			rest = substr(rest, RLENGTH + 1)
			sub(/,$/, "", w)
			if (w ~ /^--?[A-Za-z0-9]/) {
				if (w ~ /\[=/) {
					vals = w
					sub(/^[^[]*\[=/, "", vals)
					sub(/\]$/, "", vals)
					gsub(/\|/, " ", vals)
					sub(/\[=.*/, "", w)
				} else if (w ~ /=/) {
					arg = w
					sub(/^[^=]*=/, "", arg)
					sub(/=.*/, "", w)
				}
				names[++nn] = w
				last = "opt"
			} else if (last == "opt" && sep == " " &&
				   w ~ /^[A-Z][A-Z0-9_:.|-]*$/) {
				arg = w
				last = "arg"
			} else {
				quoted(w rest)
				break
			}
			match(rest, /^ */)
			sep = substr(rest, 1, RLENGTH)
			rest = substr(rest, RLENGTH + 1)
		}
	}
	END { flush() }'
}

_mcast()
{
	local bin=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]}
	local prev='' opt='' eq='' i w at=0 line name arg vals words
	local -a cands=() path=() subs=()

	COMPREPLY=()
	# Run the mcast the command line names; "~/bin/mcast" needs expanding.
	# shellcheck disable=SC2088 # the word as typed, tilde and all
	[[ $bin == "~/"* ]] && bin=$HOME/${bin#"~/"}
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}

	# "--opt=value": one word, or three ("--opt" "=" "value") when '=' is
	# in COMP_WORDBREAKS, as it is by default.
	if [[ $cur == --*=* ]]; then
		opt=${cur%%=*} cur=${cur#*=} eq=joined
	elif [[ $cur == = ]]; then
		opt=$prev cur='' eq=split
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
		opt=${COMP_WORDS[COMP_CWORD - 2]} eq=split
	fi

	# The command path: a command `mcast --help` lists ("send") and, for a
	# command with subcommands of its own, one of those ("bench send").
	# A word is only ever run as part of a path when mcast listed it.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		[[ $w == -* ]] && continue
		if ((${#path[@]} == 0)); then
			_mcast_commands "$bin" | grep -qxF -- "$w" || return 0
			path=("$w") at=$i
			[[ $w == help ]] && break
			mapfile -t subs < <(_mcast_subcommands "$bin" "$w")
			((${#subs[@]})) || break
		else
			printf '%s\n' "${subs[@]}" | grep -qxF -- "$w" || return 0
			path+=("$w") at=$i
			subs=()
			break
		fi
	done

	if ((${#path[@]} == 0)); then
		if [[ $cur == -* ]]; then
			cands=(--help --version)
		else
			mapfile -t cands < <(_mcast_commands "$bin")
		fi
		mapfile -t COMPREPLY < <(compgen -W "${cands[*]}" -- "$cur")
		return 0
	fi

	if [[ ${path[0]} == help ]]; then
		((COMP_CWORD == at + 1)) || return 0
		mapfile -t cands < <(_mcast_commands "$bin" | grep -vx help)
		mapfile -t COMPREPLY < <(compgen -W "${cands[*]}" -- "$cur")
		return 0
	fi

	# A command with subcommands, none given yet: offer them.
	if ((${#subs[@]})) && [[ $cur != -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "${subs[*]}" -- "$cur")
		return 0
	fi

	if [[ -n $eq ]]; then
		# The value of --opt=VALUE: the optional values --help names.
		while IFS=$'\t' read -r name arg vals words; do
			[[ $name == "$opt" && $vals != - ]] && read -ra cands <<<"$vals"
		done < <(_mcast_options "$bin" "${path[@]}")
		mapfile -t COMPREPLY < <(compgen -W "${cands[*]}" -- "$cur")
		if [[ $eq == joined ]]; then
			COMPREPLY=("${COMPREPLY[@]/#/$opt=}")
		fi
		return 0
	fi

	if [[ $prev == -* ]]; then
		while IFS=$'\t' read -r name arg vals words; do
			[[ $name == "$prev" && $arg != - ]] || continue
			# The argument of an option that takes one.
			[[ $words != - ]] && read -ra cands <<<"$words"
			if [[ $arg == IFACE || $name == -i || $name == --interface ]]; then
				for line in /sys/class/net/*; do
					[[ -e $line ]] && cands+=("${line##*/}")
				done
			elif [[ $arg == FILE || $arg == PATH || $arg == FILE\|* ]]; then
				compopt -o default 2>/dev/null
			fi
			mapfile -t COMPREPLY < <(compgen -W "${cands[*]}" -- "$cur")
			return 0
		done < <(_mcast_options "$bin" "${path[@]}")
	fi

	if [[ $cur == -* ]]; then
		while IFS=$'\t' read -r name arg vals words; do
			[[ $name == --* || $cur != --* ]] && cands+=("$name")
		done < <(_mcast_options "$bin" "${path[@]}")
		mapfile -t COMPREPLY < <(compgen -W "${cands[*]}" -- "$cur")
	fi
	return 0
}

complete -F _mcast mcast
