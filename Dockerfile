# The newsledger service image: the package, its migrations and the seed story.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    NEWSLEDGER_MIGRATIONS_DIR=/app/migrations

WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY migrations ./migrations
COPY data ./data
RUN pip install --no-cache-dir . \
    && useradd --system --home-dir /var/lib/newsledger --create-home newsledger
USER newsledger
WORKDIR /var/lib/newsledger
EXPOSE 50051
ENTRYPOINT ["newsledger"]
CMD ["serve", "--address", "0.0.0.0:50051"]
