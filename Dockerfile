# The newsledger service image: the package (with its migrations and protos inside) and the
# seed story. The service runs as the unprivileged user `newsledger`, whose home holds the
# signing key's volume (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

WORKDIR /app
COPY pyproject.toml setup.py README.md LICENSE ./
COPY service ./service
COPY migrations ./migrations
COPY proto ./proto
COPY data ./data
RUN pip install --no-cache-dir '.[server]' \
    && useradd --system --home-dir /var/lib/newsledger --create-home newsledger \
    && install -d -o newsledger -g newsledger -m 0700 /var/lib/newsledger/keys
USER newsledger
WORKDIR /var/lib/newsledger
EXPOSE 50051
ENTRYPOINT ["newsledger"]
CMD ["serve", "--address", "0.0.0.0:50051"]
