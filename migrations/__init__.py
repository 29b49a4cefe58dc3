"""The Alembic migrations, shipped inside the package as `newsledger.migrations`."""
