"""The gRPC servicers: each translates protobuf to application calls and back."""
