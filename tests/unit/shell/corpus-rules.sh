#!/usr/bin/env bash
# corpus-rules.sh - the command rules (NR108 accounts, NR109 groups, NR112
# privilege drops, NR110/NR111/NR114) on the real-world Dockerfiles, each linted
# in a build context made from the corpus: the Dockerfile and the scripts named
# after its folder (OWNER__REPO__DIR__file becomes DIR/file). The expected set
# per file is the hand reading's columns A, G and E (see docs/shell.md for the
# few files where the corpus lacks the script the reading relies on). postgres, mysql
# (oracle) and mariadb drop privileges only inside `if [ "$(id -u)" = '0' ]`, a branch
# taken only when started as root: no NR112 there (the hand reading's E✗ is the image's
# root user, which NR101 reports). So do cassandra, mongo, rabbitmq and redis (alpine), whose
# root test is joined with another by `&&` or `-a` (`[ "$1" = 'redis-server' -a "$(id -u)" =
# '0' ]`).
set -u
corpus=${UNROOT_CORPUS:?}/dockerfiles
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

expect() { # FILE RULES
	local b=$1 want=$2 pre d rel got
	pre=${b%__*}__
	d=$work/$b
	mkdir -p "$d"
	cp "$corpus/$b" "$d/${b##*__}"
	for s in "$corpus/$pre"*; do
		rel=${s##*/}
		rel=${rel#"$pre"}
		case "$rel" in *Dockerfile*) continue ;; esac
		rel=${rel//__//}
		mkdir -p "$d/$(dirname "$rel")"
		cp "$s" "$d/$rel"
	done
	got=$("$UNROOT" -f json --no-config "$d" 2>/dev/null |
		grep -oE '"rule": *"NR(000|108|109|110|111|112|114)"' | grep -oE 'NR[0-9]+' |
		sort -u | paste -sd, -)
	got=${got:--}
	if [ "$got" != "$want" ]; then
		echo "FAIL $b: want $want, got $got"
		fail=1
	else
		echo "ok   $b: $got"
	fi
}

while read -r file rules; do
	[ -n "$file" ] && expect "$file" "$rules"
done <<'EOF'
GoogleContainerTools__distroless__examples__go__Dockerfile -
GoogleContainerTools__distroless__examples__nodejs__node-express__Dockerfile -
GoogleContainerTools__distroless__examples__python3-requirements__Dockerfile -
MariaDB__mariadb-docker__11.8-ubi__Dockerfile NR108,NR109
MariaDB__mariadb-docker__11.8__Dockerfile NR108,NR109
bitnami__containers__bitnami__nginx__1.29__debian-12__Dockerfile -
bitnami__containers__bitnami__postgresql__17__debian-12__Dockerfile -
docker-library__cassandra__5.0__Dockerfile NR108
docker-library__elasticsearch__8__Dockerfile -
docker-library__mongo__8.0__Dockerfile NR108,NR109
docker-library__mongo__8.0__windows__nanoserver-ltsc2022__Dockerfile -
docker-library__mongo__8.0__windows__windowsservercore-ltsc2022__Dockerfile -
docker-library__mysql__8.4__Dockerfile.oracle NR108
docker-library__postgres__18__alpine3.23__Dockerfile NR108
docker-library__postgres__18__trixie__Dockerfile NR108
docker-library__rabbitmq__4.1__alpine__Dockerfile NR108,NR109
docker-library__rabbitmq__4.1__ubuntu__Dockerfile NR108,NR109
docker-library__redis__7.2__alpine__Dockerfile NR108,NR109
docker-library__redis__7.2__debian__Dockerfile NR108,NR109
dotnet__dotnet-docker__samples__aspnetapp__Dockerfile -
dotnet__dotnet-docker__samples__aspnetapp__Dockerfile.chiseled -
dotnet__dotnet-docker__samples__aspnetapp__Dockerfile.nanoserver -
dotnet__dotnet-docker__samples__aspnetapp__Dockerfile.windowsservercore -
grafana__grafana__Dockerfile NR108
hashicorp__docker-consul__0.X__Dockerfile NR108,NR109,NR112
hashicorp__docker-consul__ubi__Dockerfile NR108
hashicorp__docker-vault__0.X__Dockerfile NR108,NR109,NR112
jenkinsci__docker-ssh-agent__debian__Dockerfile NR108,NR109
jenkinsci__docker__debian__Dockerfile NR108,NR109
jenkinsci__docker__rhel__Dockerfile NR108,NR109
jenkinsci__docker__tests__plugins-cli__ref__Dockerfile -
jenkinsci__docker__windows__windowsservercore__hotspot__Dockerfile -
kubernetes__examples__databases__cassandra__image__Dockerfile NR108,NR109,NR112
nginxinc__docker-nginx-unprivileged__mainline__alpine-slim__Dockerfile NR108
nginxinc__docker-nginx-unprivileged__mainline__alpine__Dockerfile -
nginxinc__docker-nginx-unprivileged__mainline__debian__Dockerfile NR108
nodejs__docker-node__24__alpine3.23__Dockerfile NR108
nodejs__docker-node__24__trixie-slim__Dockerfile NR108
prometheus__prometheus__Dockerfile NR109
prometheus__prometheus__Dockerfile.distroless -
sclorg__nginx-container__1.22-micro__Dockerfile.c9s -
sclorg__nginx-container__1.26__Dockerfile.rhel9 -
sclorg__nginx-container__examples__Dockerfile -
sclorg__nginx-container__examples__Dockerfile.s2i -
sclorg__s2i-base-container__base__Dockerfile.rhel9 -
sclorg__s2i-base-container__core__Dockerfile.rhel9 NR108
traefik__traefik-library-image__tmpl__alpine__tmplv3.Dockerfile -
traefik__traefik-library-image__tmpl__scratch__tmplv3.Dockerfile -
EOF
exit $fail
