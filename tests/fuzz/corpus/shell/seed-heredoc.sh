cat <<-EOF > /etc/passwd
	x:$(id -u)
	EOF
find . ! -user a -exec chown a {} +
set -- gosu app "$@"
su app -c "chmod 600 /y"; echo $'a\tb' `id` ${X:-$(y)} $((1+2))
