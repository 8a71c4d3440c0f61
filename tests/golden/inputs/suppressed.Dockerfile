FROM alpine:3.20
# unroot ignore=NR102 the user is set below, so this matches nothing
USER 1001:0
