"""Helpers shared by every tier of the tests: builders, payloads, servers, stories."""
