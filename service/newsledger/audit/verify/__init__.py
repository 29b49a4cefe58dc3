"""The client-side verifier: checks a server or an export; imports no storage code."""
