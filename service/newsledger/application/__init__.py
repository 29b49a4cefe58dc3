"""The application layer: appends, queries, subscriptions and the audit log's service side."""
