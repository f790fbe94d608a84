# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=swingtrade.settings.production
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY requirements/ requirements/
RUN pip install -r requirements/prod.txt
COPY . .
# collectstatic needs settings; a build-time key is used only for this step.
RUN SECRET_KEY=build-only-$(python -c "import secrets;print(secrets.token_hex(32))") \
    JWT_SIGNING_KEY=build-only-$(python -c "import secrets;print(secrets.token_hex(32))") ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput
RUN useradd --create-home --uid 1000 swingtrade && mkdir -p /app/var && chown -R swingtrade /app/var
USER swingtrade
EXPOSE 8000
# The same command as docker-compose.yml's web service (tests/perf/test_server_command.py checks it);
# why granian, one worker per container and 4 threads: docs/architecture.md, "Speed".
CMD ["granian", "--interface", "wsgi", "swingtrade.wsgi:application", "--host", "0.0.0.0", "--port", "8000", \
     "--workers", "1", "--blocking-threads", "4", "--respawn-failed-workers"]
