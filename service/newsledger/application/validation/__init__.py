"""The one validation pipeline every append passes: stream, payloads, corrections."""
