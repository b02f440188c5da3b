# shellcheck shell=bash
# What every verb uses: output, failure, tables, and reading a verb's arguments.

# ---------------------------------------------------------------------------------------------- output
if [ -t 1 ]; then BOLD=$'\e[1m' GREEN=$'\e[32m' RED=$'\e[31m' DIM=$'\e[2m' OFF=$'\e[0m'
else BOLD='' GREEN='' RED='' DIM='' OFF=''; fi
say() { printf '%s\n' "$*"; }
step() { printf '%s==>%s %s\n' "$BOLD" "$OFF" "$*"; }
die() { printf '%sfreshet: %s%s\n' "$RED" "$*" "$OFF" >&2; exit 1; }
green() { printf '%s%s%s' "$GREEN" "$*" "$OFF"; }
red() { printf '%s%s%s' "$RED" "$*" "$OFF"; }
dim() { printf '%s%s%s' "$DIM" "$*" "$OFF"; }

# Prints tab-separated lines (stdin) as aligned columns, each line after INDENT. The last column is not padded, so
# "name:<tab>value" lines come out as aligned key: value lines.
print_table() {
  awk -F'\t' -v indent="${1:-}" '
    { for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > width[i]) width[i] = length($i) } cells[NR] = NF }
    END {
      for (r = 1; r <= NR; r++) {
        line = indent
        for (i = 1; i < cells[r]; i++) line = line sprintf("%-" width[i] "s  ", cell[r, i])
        print line cell[r, cells[r]]
      }
    }'
}

# ------------------------------------------------------------------------------------------- arguments
# A verb's arguments as parse_args read them: OPTS[--option] (its value, "true" for a flag) and ARGS (the others).
declare -gA OPTS=()
ARGS=()

# parse_args USAGE SPEC ARG...: reads the options SPEC names ("--name=" takes a value, "--json" is a flag) into OPTS
# and the other arguments (also "-", and all after "--") into ARGS. Stops, naming USAGE, on an option SPEC does not
# name or a value that is missing.
parse_args() {
  local usage=$1 spec=" $2 "
  shift 2
  OPTS=()
  ARGS=()
  while [ $# -gt 0 ]; do
    case $1 in
      --) shift; ARGS+=("$@"); break ;;
      -?*)
        if [[ $spec == *" $1= "* ]]; then
          [ $# -ge 2 ] || die "$1 needs a value. $usage"
          OPTS[$1]=$2
          shift
        elif [[ $spec == *" $1 "* ]]; then
          OPTS[$1]=true
        else
          die "unknown option '$1'. $usage"
        fi ;;
      *) ARGS+=("$1") ;;
    esac
    shift
  done
}

# The value of an option parse_args read (empty when not given); has_opt: whether it was given.
opt() { printf '%s' "${OPTS[$1]:-}"; }
has_opt() { [ -n "${OPTS[$1]+given}" ]; }

# want_args USAGE NAME...: stops unless ARGS holds one non-empty argument per NAME (a last NAME ending in "..." takes
# any number, none included), naming the first one missing or the first one too many.
want_args() {
  local usage=$1 i
  shift
  local names=("$@") last=${*: -1}
  for (( i = 0; i < ${#names[@]}; i++ )); do
    [[ ${names[i]} == *... ]] && return 0
    [ -n "${ARGS[i]:-}" ] || die "missing the ${names[i]}. $usage"
  done
  [[ $last == *... ]] || [ ${#ARGS[@]} -le ${#names[@]} ] || die "unexpected argument '${ARGS[${#names[@]}]}'. $usage"
}

# True when the arguments ask for help.
wants_help() {
  local arg
  for arg in "$@"; do
    case $arg in -h|--help) return 0 ;; esac
  done
  return 1
}

# run_subcommand NOUN COMMANDS ARG...: runs the command of NOUN that ARGS start with (the function NOUN_COMMAND, with
# '-' as '_'), or NOUN_help [COMMAND] when asked for help. COMMANDS lists NOUN's commands.
# "Usage: ./freshet NOUN COMMAND ARGUMENTS [--json]", the arguments from NOUN_arguments.
command_usage() {
  local arguments
  arguments=$("${1}_arguments" "$2")
  printf 'Usage: ./freshet %s %s%s [--json]\n' "$1" "$2" "${arguments:+ $arguments}"
}

# subcommand_help NOUN COMMANDS SYNOPSIS [COMMAND]: the help of one command of an admin noun (its usage and
# NOUN_about), or of them all (each usage with the first line of its NOUN_about) followed by the footer on stdin.
subcommand_help() {
  local noun=$1 commands=$2 synopsis=$3 command=${4:-} arguments
  if [ -n "$command" ]; then
    printf '%s\n\n' "$(command_usage "$noun" "$command")"
    "${noun}_about" "$command"
    printf '\n%s\n' "--json prints the analytics API's answer (JSON) instead."
    return
  fi
  printf 'Usage: ./freshet %s %s\n\n' "$noun" "$synopsis"
  for command in $commands; do
    arguments=$("${noun}_arguments" "$command")
    printf '  %s\n      %s\n' "$command${arguments:+ $arguments}" "$("${noun}_about" "$command" | head -n 1)"
  done
  printf '\n'
  cat
}

# A secret FILE of BYTES random bytes, made once, readable by this user only: hex, or base64 when the third word says so.
ensure_secret() {
  [ -s "$1" ] || (umask 077 && head -c "$2" /dev/urandom \
    | if [ "${3:-hex}" = base64 ]; then base64 -w 0; else od -An -tx1 | tr -d ' \n'; fi >"$1")
}

run_subcommand() {
  local noun=$1 commands=$2 command=${3:-}
  shift $(( $# < 3 ? $# : 3 ))
  local usage="Usage: ./freshet $noun ${commands// /|} ...   ('./freshet $noun --help' says more)"
  case $command in
    -h|--help|help) "${noun}_help"; return ;;
    '') die "$noun needs a command. $usage" ;;
  esac
  [[ " $commands " == *" $command "* ]] || die "unknown $noun command '$command'. $usage"
  if wants_help "$@"; then "${noun}_help" "$command"; return; fi
  "${noun}_${command//-/_}" "$@"
}
