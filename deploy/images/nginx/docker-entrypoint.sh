#!/bin/sh
# As the official image's entrypoint: when the command is nginx, run the /docker-entrypoint.d
# scripts in name order (executable *.sh run, *.envsh sourced), then exec the command.
set -e
if [ "$1" = nginx ] || [ "$1" = nginx-debug ]; then
  for f in $(find /docker-entrypoint.d/ -follow -type f -print | sort -V); do
    case "$f" in
      *.envsh) [ -x "$f" ] && . "$f" ;;
      *.sh) if [ -x "$f" ]; then echo "$0: running $f"; "$f"; else echo "$0: ignoring $f, not executable"; fi ;;
    esac
  done
  echo "$0: configuration complete; ready for start up"
fi
exec "$@"
