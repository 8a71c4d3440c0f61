set -eux; A=1 B="x y" useradd -r -u 1001 -g 0 app && chown -R 1001:0 /app "/my dir" && echo $(id -u) `whoami` >> /etc/passwd
bash -ec "chmod g+w /etc/passwd; gosu app:app \"\$@\"" x
if [ -f x ]; then exec su-exec redis "$@"; fi
case "$1" in a|b) chmod 600 /x ;; *) adduser -S -D -u 1000 -G grp bob ;; esac
cat > /etc/x <<'EOF'
hello $x
EOF
for f in a b c; do chgrp -R 0 $f; done
( cd /x && install -d -o postgres -g postgres -m 1777 /var/run/pg )
f() { chown u: /a; }
