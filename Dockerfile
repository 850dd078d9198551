# Production image: gunicorn serving atensi.wsgi; the same image runs the Celery worker and beat.
# Configuration comes only from the environment (see .env.example and docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    MEDIA_ROOT=/var/lib/atensi/media \
    WEB_CONCURRENCY=3 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango and a font for WeasyPrint's printable documents (decree annex, hand-over record).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --uid 10001 atensi
WORKDIR /app

# Dependencies first, from pyproject.toml alone, so that a code change reuses this layer.
# Only the main dependencies: the `embedded` and `dev` extras are for developers and CI.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# The application runs from /app (on PYTHONPATH), so templates, static and locale stay beside it.
COPY . .
# Collect static files at build time; the settings need a key to load, never used at run time.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost DEBUG=false \
    python manage.py collectstatic --noinput \
 && install -d -o atensi -g atensi /var/lib/atensi/media

USER atensi
EXPOSE 8000
# gunicorn takes its number of processes from WEB_CONCURRENCY; each serves 4 requests at once
# on threads and keeps a connection open between requests (tests/bench/load.py measures both).
CMD ["gunicorn", "atensi.wsgi", "--bind", "0.0.0.0:8000", "--worker-class", "gthread", \
     "--threads", "4", "--keep-alive", "75", "--access-logfile", "-"]
