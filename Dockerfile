# Parcours — production image: gunicorn + WhiteNoise; the same image runs the Celery worker, the beat, the
# one-shot migrations and `manage.py backup` / `restore`. docs/operations.md tells how to run it.
# The official administrative areas (territories: communes, EPCI, départements, régions) are an npm package
# pinned in package-lock.json: fetched here, in a throw-away build stage, with its install scripts off; only
# its four JSON data files reach the image, where `manage.py load_areas --auto` (the migrate service) reads them.
FROM node:22-bookworm-slim AS areas
WORKDIR /areas
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --omit=dev --no-audit --no-fund

FROM python:3.12-slim-trixie

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 TZ=UTC \
    PYTHONPATH=/app DJANGO_SETTINGS_MODULE=programme.settings \
    STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/data/private CELERY_DATA_DIR=/data/celery

# WeasyPrint (PDF reports) needs Pango and HarfBuzz, and fonts: DejaVu is the one the print stylesheet names.
# gettext compiles the translations; curl answers the health checks; postgresql-client (17) gives pg_dump and
# pg_restore to `manage.py backup` / `restore` (a client at least as recent as the PostgreSQL 16 server).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig fonts-dejavu-core \
        gettext curl postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 1000 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin parcours

WORKDIR /app

# Dependencies first, exactly as locked (`make lock`), each checked against its hash. This layer depends on
# requirements.txt alone: a change to the code does not reinstall anything.
COPY requirements.txt ./
RUN pip install --require-hashes --no-deps -r requirements.txt

# The code belongs to root and stays read-only for the runtime user; only /data (private files, the beat's
# schedule, backups) is theirs. Translations and static files are built here, never at run time.
COPY . .
COPY --from=areas /areas/node_modules/@etalab/decoupage-administratif/data \
    /app/node_modules/@etalab/decoupage-administratif/data
RUN python manage.py compilemessages -v 0 \
    && DEBUG=0 SECRET_KEY=build-only-not-secret-but-long-enough-0123456789abcdefghij ALLOWED_HOSTS=build \
       DEFAULT_FROM_EMAIL='Parcours <build@example.org>' \
       python manage.py collectstatic --no-input -v 0 \
    && chmod -R go-w /app \
    && mkdir -p /data/private /data/beat /data/celery /data/backups \
    && chown -R parcours:parcours /data

USER parcours
EXPOSE 8000
CMD ["gunicorn", "programme.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
