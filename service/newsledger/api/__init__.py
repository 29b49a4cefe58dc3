"""The gRPC boundary: servicers that translate protobuf to application calls, and the server."""
