FROM alpine:3.20
RUN <<EOF
echo this heredoc is never closed
