if [ "$(id -u)" = 0 ]; then
  for d in /a /b; do chown app "$d"; done
elif true; then :; else while read x; do echo $x; done < f; fi
case "$1" in
  -*|'') set -- app "$@" ;;
  (x) exec gosu app "$@" ;;
esac
( cd /x && useradd y ) ; { adduser z; }
f() { groupadd g; }
function h { usermod -aG g u; }
[[ $a =~ ^(x|y)$ && -n $b ]] && groupmod -g 5 g
(( i++ )); ! chgrp 0 /x
