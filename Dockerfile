# Production image: gunicorn serving the app, whitenoise serving the static files.
#   docker build -t jxc .
#   docker run --env-file .env -p 8000:8000 jxc                      # the web server
#   docker run --env-file .env jxc python manage.py migrate --noinput  # once per release
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.prod

RUN groupadd --system jxc \
    && useradd --system --gid jxc --no-create-home --home-dir /app --shell /usr/sbin/nologin jxc

WORKDIR /app

# Dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Hashed, compressed static files for whitenoise. The secret and database exist only for this
# step; the real ones come from the environment at run time. The .mo catalogs are committed,
# so no gettext is needed here.
RUN SECRET_KEY=build-only-not-secret DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        python manage.py collectstatic --noinput \
    && rm -f /tmp/build.sqlite3 \
    && mkdir -p /app/media && chown jxc:jxc /app/media

USER jxc

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["python", "deploy/healthcheck.py"]
CMD ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application"]
