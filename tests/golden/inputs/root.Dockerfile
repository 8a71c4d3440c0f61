# Root in every way the rules know.
FROM debian:12
RUN groupadd -g 999 app && \
	useradd -u 999 -g app app
COPY --chown=app:app app/ /app/
RUN chmod 700 /app && chown -R 1000:1000 /data
LABEL description="caf\303\251 \342\230\225"
USER root
ENTRYPOINT ["gosu", "app", "/app/run.sh"]
