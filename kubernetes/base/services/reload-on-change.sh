#!/bin/sh
# Runs the MQTT broker and sends it SIGHUP when one of the given files changes, which makes Mosquitto reread its
# password and ACL files and its TLS certificate. The sources service rewrites the users' files but runs in another
# container, as another user, without seeing the broker's processes: this loop, beside the broker, tells it instead.
# A change is seen within a second (the files' contents are compared, so an atomic replace is never missed).
#   reload-on-change.sh FILE... -- BROKER COMMAND...
files=
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  files="$files $1"
  shift
done
[ "$1" = "--" ] || { echo "usage: $0 FILE... -- COMMAND..." >&2; exit 2; }
shift

digest() {
  # shellcheck disable=SC2086 # the paths hold no spaces
  cat $files 2>/dev/null | md5sum
}

seen=$(digest)
"$@" &
broker=$!
# the container's stop reaches the broker; the loop ends when the broker has gone
trap 'kill -TERM "$broker" 2>/dev/null' TERM INT
while kill -0 "$broker" 2>/dev/null; do
  sleep 1 &
  wait $!
  now=$(digest)
  if [ "$now" != "$seen" ]; then
    seen=$now
    kill -HUP "$broker" 2>/dev/null
  fi
done
wait "$broker"
