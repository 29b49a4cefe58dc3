"""Generated protobuf code; regenerate with tools/genproto.py."""
