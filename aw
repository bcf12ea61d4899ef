#!/usr/bin/env bash
# The aw command from a source checkout: builds the CLI jar when it is missing or older than the sources,
# then runs it. `./aw hub` starts the hub on its embedded defaults; `./aw --help` lists the commands.
#
# Start-up (docs/BENCHMARKS.md, CLI start): the build leaves a class-data archive, target/aw.jsa, made by the
# JVM named in target/aw.jsa.jdk. It is passed only to that JVM and only while newer than the jar: any other
# JVM given it would start with no class sharing at all. Short commands also run on the C1 compiler only;
# the hub and the commands that stay up (bench among them) keep the JVM's defaults. AW_JAVA_OPTS comes last and wins.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
jar="$here/agentwire-cli/target/aw.jar"
jsa="$here/agentwire-cli/target/aw.jsa"
stale() {
  [ ! -f "$jar" ] && return 0
  [ -n "$(find "$here" -maxdepth 2 -name pom.xml -newer "$jar" -print -quit)" ] && return 0
  [ -n "$(find "$here"/agentwire-*/src/main -newer "$jar" -print -quit)" ] && return 0
  return 1
}
if stale; then
  echo "aw: building agentwire (first run or changed sources)..." >&2
  (cd "$here" && ./mvnw -q -B -DskipTests -Dspotless.check.skip=true package -pl agentwire-cli -am) >&2
fi

# Whether target/aw.jsa was made by the java about to run, from this jar.
archive_fits() {
  local java_bin java_home built_home built_version
  [ -f "$jsa" ] && [ -f "$jsa.jdk" ] && [ "$jsa" -nt "$jar" ] || return 1
  java_bin="$(command -v java)" || return 1
  java_bin="$(readlink -f "$java_bin" 2>/dev/null)" || return 1
  java_home="$(cd "$(dirname "$java_bin")/.." && pwd -P)" || return 1
  { read -r built_home && read -r built_version; } <"$jsa.jdk" || return 1
  [ "$java_home" = "$(cd "$built_home" 2>/dev/null && pwd -P)" ] || return 1
  grep -Fqx "JAVA_RUNTIME_VERSION=\"$built_version\"" "$java_home/release" 2>/dev/null
}

opts=()
if archive_fits; then
  # -Xshare:auto runs on without the archive if the JVM still refuses it; the log selections keep its
  # warnings, which go to stdout, out of aw's output.
  opts+=(-XX:SharedArchiveFile="$jsa" -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off)
fi
case "${1:-}" in
  hub | mcp | serve | run | tail | bench) ;; # they stay up (bench runs a hub and measures it)
  *) opts+=(-XX:TieredStopAtLevel=1) ;;
esac
# shellcheck disable=SC2086 # AW_JAVA_OPTS is a list of words
exec java ${opts[@]+"${opts[@]}"} ${AW_JAVA_OPTS:-} -jar "$jar" "$@"
