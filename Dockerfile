# syntax=docker/dockerfile:1
# Build stage: install Debrief and its dependencies into a virtualenv.
FROM python:3.11-slim AS build
# Voice notes (faster-whisper: about 430 MB more); --build-arg EXTRAS= leaves them out.
ARG EXTRAS=voice
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /venv
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY conversations ./conversations
COPY speech ./speech
COPY storage ./storage
RUN /venv/bin/pip install ".${EXTRAS:+[$EXTRAS]}"

# Runtime stage: the virtualenv only, run by an unprivileged user, the database on a volume.
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 debrief \
    && mkdir /data \
    && chown debrief:debrief /data
COPY --from=build /venv /venv
# The Whisper model is downloaded on the first voice note into /data/whisper, beside the database.
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DEBRIEF_DB_PATH=/data/debrief.sqlite3
USER debrief
WORKDIR /home/debrief
VOLUME ["/data"]
# The webhook listener (DEBRIEF_WEBHOOK_URL); unused with long polling.
EXPOSE 8443
# The database answers, and the bot polled Telegram lately or its webhook listener answers.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot", "health"]
CMD ["python", "-m", "bot"]
