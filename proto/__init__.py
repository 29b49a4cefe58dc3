"""The contract's .proto files, shipped inside the package as `newsledger.proto`."""
