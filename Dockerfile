# Parcours — production image (gunicorn + WhiteNoise; the same image runs the Celery worker and beat).
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=programme.settings STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/data/private

# WeasyPrint needs Pango; gettext compiles translations; DejaVu fonts are embedded in the PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 gettext fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 parcours

WORKDIR /app
COPY pyproject.toml ./
COPY programme ./programme
COPY prospects ./prospects
COPY projects ./projects
COPY evaluation ./evaluation
RUN pip install .
COPY . .
RUN python manage.py compilemessages -v 0 \
    && DEBUG=0 SECRET_KEY=build-only-not-secret-but-long-enough-0123456789abcdefghij ALLOWED_HOSTS=build \
       python manage.py collectstatic --no-input -v 0 \
    && mkdir -p /data/private && chown -R parcours /data /app
USER parcours
EXPOSE 8000
CMD ["gunicorn", "programme.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
