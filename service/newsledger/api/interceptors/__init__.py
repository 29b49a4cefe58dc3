"""Interceptors every RPC passes: request log, errors, auth, request guard, stream cap."""
