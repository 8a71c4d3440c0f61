#!/usr/bin/env bash
# unroot fix on Dockerfiles, file by file: what each fix writes, byte for byte, and that it keeps
# comments, continuations, indentation, keyword case, heredocs, CRLF, a BOM and a missing final
# newline; account commands leave their RUN as valid shell, or stay when a line still names them.
. "$(dirname "$0")/lib.sh"

# case NAME INPUT WANT: `unroot fix --write` turns INPUT (printf format) into WANT.
case_() {
	local name=$1
	printf "$2" >"$name.Dockerfile"
	printf "$3" >"$name.want"
	"$UNROOT" fix --no-config --write -q "$name.Dockerfile" >/dev/null 2>"$name.err"
	if cmp -s "$name.Dockerfile" "$name.want"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name"
		diff "$name.want" "$name.Dockerfile" | head -20
	fi
	# and fixing the result again changes nothing
	"$UNROOT" fix --no-config --check -q "$name.Dockerfile" >/dev/null 2>&1
	ok "$name: fixed once is fixed" test $? = 0
}

# --- the final USER ----------------------------------------------------------------------
case_ user-name 'FROM alpine:3.20\nUSER nobody2\nCMD ["x"]\n' \
	'FROM alpine:3.20\nUSER 1001:0\nCMD ["x"]\n'
case_ user-uid 'FROM alpine:3.20\nUSER 1001\n' 'FROM alpine:3.20\nUSER 1001:0\n'
case_ user-missing 'FROM alpine:3.20\nCMD ["x"]\n' 'FROM alpine:3.20\nCMD ["x"]\nUSER 1001:0\n'
case_ user-root 'FROM alpine:3.20\nUSER root\nCMD ["x"]\n' 'FROM alpine:3.20\nUSER 1001:0\nCMD ["x"]\n'
case_ keyword-case 'from alpine:3.20\nuser 1001\n' 'from alpine:3.20\nuser 1001:0\n'

# --- what the file looks like is kept ----------------------------------------------------
case_ crlf 'FROM alpine:3.20\r\nCOPY --chown=1001:1001 . /app\r\nUSER 1001\r\n' \
	'FROM alpine:3.20\r\nCOPY --chown=1001:0 . /app\r\nUSER 1001:0\r\n'
case_ bom '\xef\xbb\xbfFROM alpine:3.20\nUSER 1001\n' '\xef\xbb\xbfFROM alpine:3.20\nUSER 1001:0\n'
case_ no-final-newline 'FROM alpine:3.20\nUSER 1001' 'FROM alpine:3.20\nUSER 1001:0'
case_ missing-user-no-newline 'FROM alpine:3.20\nCMD ["x"]' 'FROM alpine:3.20\nCMD ["x"]\nUSER 1001:0\n'
case_ comments-and-indent 'FROM alpine:3.20\n# owner of the app\n  COPY  --chown=1001:1001  . /app   # all of it\nUSER 1001:0\n' \
	'FROM alpine:3.20\n# owner of the app\n  COPY  --chown=1001:0  . /app   # all of it\nUSER 1001:0\n'
case_ continuation 'FROM alpine:3.20\nRUN mkdir /data && \\\n    chown -R 1001:1001 /data\nUSER 1001:0\n' \
	'FROM alpine:3.20\nRUN mkdir /data && \\\n    chown -R 1001:0 /data && chmod -R g=u /data\nUSER 1001:0\n'
case_ heredoc 'FROM alpine:3.20\nRUN <<EOF\nset -e\nchown 1001:1001 /data\nEOF\nUSER 1001:0\n' \
	'FROM alpine:3.20\nRUN <<EOF\nset -e\nchown 1001:0 /data && chmod g=u /data\nEOF\nUSER 1001:0\n'
case_ escape-directive '# escape=`\nFROM alpine:3.20\nCOPY --chown=1001:1001 . /app\nUSER 1001\n' \
	'# escape=`\nFROM alpine:3.20\nCOPY --chown=1001:0 . /app\nUSER 1001:0\n'

# --- --chown, chmod, privilege drop ------------------------------------------------------
case_ copy-chown 'FROM alpine:3.20\nCOPY --chown=1001:www . /app\nUSER 1001:0\n' \
	'FROM alpine:3.20\nCOPY --chown=1001:0 . /app\nUSER 1001:0\n'
case_ gosu-exec 'FROM alpine:3.20\nUSER 1001:0\nENTRYPOINT ["gosu", "app", "/run"]\n' \
	'FROM alpine:3.20\nUSER 1001:0\nENTRYPOINT ["/run"]\n'

# --- folders filled after the chown that gives them to the app ----------------------------
# group 0 gets the owner's bits after the last step that writes there, as root
case_ group-after-filled 'FROM alpine:3.20\nRUN mkdir -p /app/data && chown -R 1001:1001 /app/data\nCOPY seed/ /app/data/\nWORKDIR /app\nRUN apk add curl\nUSER 1001:0\n' \
	'FROM alpine:3.20\nRUN mkdir -p /app/data && chown -R 1001:0 /app/data\nCOPY seed/ /app/data/\nRUN chgrp -R 0 /app/data && chmod -R g=u /app/data\nWORKDIR /app\nRUN apk add curl\nUSER 1001:0\n'
case_ group-after-workdir-run 'from alpine:3.20\nrun mkdir /srv/www && chown www:www /srv/www\nworkdir /srv/www\nrun wget -q https://example.org/site.tgz && tar xzf site.tgz\nuser 1001:0\n' \
	'from alpine:3.20\nrun mkdir /srv/www && chown www:0 /srv/www\nworkdir /srv/www\nrun wget -q https://example.org/site.tgz && tar xzf site.tgz\nrun chgrp -R 0 /srv/www && chmod -R g=u /srv/www\nuser 1001:0\n'
# a later step that runs as the app's user could not chgrp root's files: g=u stays at the chown
case_ group-writer-not-root 'FROM alpine:3.20\nRUN mkdir /d && chown 1001:1001 /d\nUSER 1001:0\nRUN touch /d/x\n' \
	'FROM alpine:3.20\nRUN mkdir /d && chown 1001:0 /d && chmod g=u /d\nUSER 1001:0\nRUN touch /d/x\n'
# a chgrp and chmod g=u already there after the last step: nothing to add
case_ group-already-later 'FROM alpine:3.20\nRUN mkdir /d && chown 1001:1001 /d\nCOPY x /d/\nRUN chgrp -R 0 /d && chmod -R g=u /d\nUSER 1001:0\n' \
	'FROM alpine:3.20\nRUN mkdir /d && chown 1001:1001 /d\nCOPY x /d/\nRUN chgrp -R 0 /d && chmod -R g=u /d\nUSER 1001:0\n'

# a VOLUME folder made root 0755 (NR117): the line after the last step that fills it
case_ volume-made 'FROM alpine:3.20\nRUN mkdir -p /data\nCOPY seed/ /data/seed/\nVOLUME /data\nUSER 1001:0\n' \
	'FROM alpine:3.20\nRUN mkdir -p /data\nCOPY seed/ /data/seed/\nRUN chgrp -R 0 /data && chmod -R g=u /data\nVOLUME /data\nUSER 1001:0\n'
# folders VOLUME itself makes: one line before it names them all
case_ volume-made-by-volume 'FROM alpine:3.20\nRUN apk add --no-cache tini\nVOLUME ["/data", "/conf"]\nUSER 1001:0\n' \
	'FROM alpine:3.20\nRUN apk add --no-cache tini\nRUN mkdir -p /data /conf && chgrp -R 0 /data /conf && chmod -R g=u /data /conf\nVOLUME ["/data", "/conf"]\nUSER 1001:0\n'
# a VOLUME folder that a chown (NR109) or NR116 already gives to group 0: no second line
case_ volume-chowned 'FROM alpine:3.20\nRUN mkdir /data && chown 1001:1001 /data\nVOLUME /data\nUSER 1001:0\n' \
	'FROM alpine:3.20\nRUN mkdir /data && chown 1001:0 /data && chmod g=u /data\nVOLUME /data\nUSER 1001:0\n'
case_ volume-gopath 'FROM debian:12\nENV GOPATH /go\nRUN mkdir -p /go/src\nWORKDIR /go\nVOLUME /go\nUSER 1001:0\n' \
	'FROM debian:12\nENV GOPATH /go\nRUN mkdir -p /go/src && chgrp -R 0 /go && chmod -R g=u /go\nWORKDIR /go\nVOLUME /go\nUSER 1001:0\n'

# --- account commands --------------------------------------------------------------------
case_ account-only-command 'FROM alpine:3.20\nRUN useradd -u 1001 -r app\nCOPY . /app\nUSER app\n' \
	'FROM alpine:3.20\nCOPY . /app\nUSER 1001:0\n'
case_ account-first-in-chain 'FROM alpine:3.20\nRUN adduser -S -u 1001 app && mkdir /data\nUSER app\n' \
	'FROM alpine:3.20\nRUN mkdir /data\nUSER 1001:0\n'
case_ account-last-in-chain 'FROM alpine:3.20\nRUN mkdir /data && adduser -S -u 1001 app\nUSER app\n' \
	'FROM alpine:3.20\nRUN mkdir /data\nUSER 1001:0\n'
case_ account-set-eux 'FROM alpine:3.20\nRUN set -eux; \\\n    apk add --no-cache curl; \\\n    addgroup -S app && adduser -S -G app app && \\\n    mkdir /app\nUSER app\n' \
	'FROM alpine:3.20\nRUN set -eux; \\\n    apk add --no-cache curl; \\\n    mkdir /app\nUSER 1001:0\n'
case_ account-semicolon-last 'FROM alpine:3.20\nRUN set -eux; groupadd -r app; useradd -r -g app app\nUSER app\n' \
	'FROM alpine:3.20\nRUN set -eux\nUSER 1001:0\n'
# later uses of a removed account become numeric: the image's uid and group 0
case_ account-named-later 'FROM alpine:3.20\nRUN useradd -u 1001 -r app\nRUN chown app /data\nUSER 1001:0\n' \
	'FROM alpine:3.20\nRUN chown 1001 /data\nUSER 1001:0\n'
case_ account-uses-numeric 'FROM alpine:3.20\nRUN addgroup -S app && adduser -S -G app app && \\\n    mkdir /data && chown app:app /data\nCOPY --chown=app:app . /app\nUSER app\nCMD ["/app/run"]\n' \
	'FROM alpine:3.20\nRUN mkdir /data && chown 1001:0 /data && chmod g=u /data\nCOPY --chown=1001:0 . /app\nUSER 1001:0\nCMD ["/app/run"]\n'
case_ account-uses-uid 'FROM debian:12\nRUN groupadd -g 1500 worker && useradd -u 1500 -g worker worker\nUSER worker\nRUN mkdir -p /tmp/x\nUSER root\nRUN chgrp worker /srv\nCOPY --chown=worker . /app\nUSER worker:worker\n' \
	'FROM debian:12\nUSER 1500:0\nRUN mkdir -p /tmp/x\nUSER root\nRUN chgrp 0 /srv && chmod g=u /srv\nCOPY --chown=1500:0 . /app\nUSER 1500:0\n'
case_ account-group-only 'FROM alpine:3.20\nRUN addgroup -S web\nCOPY --chown=1001:web . /app\nUSER 1001:web\n' \
	'FROM alpine:3.20\nCOPY --chown=1001:0 . /app\nUSER 1001:0\n'
# stays: a line names the account in a way that has no numeric form, or names a second user
case_ account-su 'FROM alpine:3.20\nRUN adduser -S -u 1001 app\nRUN su app -c true\nUSER 1001:0\n' \
	'FROM alpine:3.20\nRUN adduser -S -u 1001 app\nRUN su app -c true\nUSER 1001:0\n'
case_ account-second-user 'FROM alpine:3.20\nRUN adduser -S -u 1001 app && adduser -S -u 1002 helper\nRUN chown helper /srv\nUSER app\n' \
	'FROM alpine:3.20\nRUN adduser -S -u 1001 app && adduser -S -u 1002 helper\nRUN chown helper /srv\nUSER 1001:0\n'
# stays: the account command makes a home folder that a later line uses
case_ account-home-folder 'FROM debian:12\nRUN useradd -u 1000 -r -m -d /opt/app app && chmod 755 /opt/app\nUSER app\n' \
	'FROM debian:12\nRUN useradd -u 1000 -r -m -d /opt/app app && chmod 755 /opt/app\nUSER 1000:0\n'
# NR108's fix makes the USER line numeric itself: without it, `USER app` names a user that is gone
printf 'FROM alpine:3.20\nRUN adduser -S -u 1001 app\nUSER app\n' >only-nr108.Dockerfile
"$UNROOT" fix --no-config --write -q --rule NR108 only-nr108.Dockerfile >/dev/null 2>&1
ok "--rule NR108 makes the USER line numeric" test "$(cat only-nr108.Dockerfile)" = "$(printf 'FROM alpine:3.20\nUSER 1001:0')"
case_ account-home-used 'FROM alpine:3.20\nRUN useradd -m -u 1001 app\nWORKDIR /home/app\nUSER 1001:0\n' \
	'FROM alpine:3.20\nRUN useradd -m -u 1001 app\nWORKDIR /home/app\nUSER 1001:0\n'
case_ account-between 'FROM alpine:3.20\nRUN addgroup -S app && mkdir /d && adduser -S -G app app\nUSER app\n' \
	'FROM alpine:3.20\nRUN mkdir /d\nUSER 1001:0\n'
case_ account-all-of-run 'FROM alpine:3.20\nRUN groupadd -r app; useradd -r -g app app\nCOPY . /app\nUSER app\n' \
	'FROM alpine:3.20\nCOPY . /app\nUSER 1001:0\n'
# stays: `|| true`, an if, a pipe are not a plain list
case_ account-or-true 'FROM alpine:3.20\nRUN useradd -u 1001 app || true\nUSER 1001:0\n' \
	'FROM alpine:3.20\nRUN useradd -u 1001 app || true\nUSER 1001:0\n'
case_ account-in-if 'FROM alpine:3.20\nRUN if true; then useradd -u 1001 app; fi\nUSER 1001:0\n' \
	'FROM alpine:3.20\nRUN if true; then useradd -u 1001 app; fi\nUSER 1001:0\n'
ok "an account that stays is listed to fix by hand" has account-or-true.err "NR108"

# --- a privilege drop in the entrypoint script ------------------------------------------
# unwrapped when the script then runs as the image's user from its start: it does nothing else
# that needs root, and the drop is the exec that ends it
mkdir -p drop-safe drop-chown
printf 'FROM alpine:3.20\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n' >drop-safe/Dockerfile
printf '#!/bin/sh\nset -e\nif [ "${1#-}" != "$1" ]; then\n\tset -- server "$@"\nfi\nexec su-exec 1001 "$@"\n' >drop-safe/entrypoint.sh
"$UNROOT" fix --no-config --write -q drop-safe/Dockerfile >/dev/null 2>drop-safe.err
ok "drop: unwrapped in the script" test "$(tail -1 drop-safe/entrypoint.sh)" = 'exec "$@"'
ok "drop: the image gets the user" has drop-safe/Dockerfile "USER 1001:0"
# left as it is when the script does something as root first: started as uid 1001, its chown
# would fail, and so would the container; neither the USER line nor the unwrap is written
printf 'FROM alpine:3.20\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n' >drop-chown/Dockerfile
printf '#!/bin/sh\nset -e\nchown -R 1001 /data\nexec su-exec 1001 "$@"\n' >drop-chown/entrypoint.sh
cp -r drop-chown drop-chown.before
"$UNROOT" fix --no-config --write drop-chown/Dockerfile >/dev/null 2>drop-chown.err
ok "drop: not unwrapped when the script needs root" diff -r drop-chown drop-chown.before
ok "drop: the reason is given" has drop-chown.err "not unwrapped: the script also runs 'chown'"
ok "drop: no USER line either" has drop-chown.err "not fixed here: drop-chown/entrypoint.sh switches user"
ok "drop: the reason it is left to a person" has drop-chown.err "(not fixed: the entrypoint script needs root before the drop) [NR112"
ok "drop: and the USER line's" has drop-chown.err "(not fixed: the entrypoint drops privileges and needs root before it does)"

finish
