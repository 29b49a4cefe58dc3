"""Server reflection under both names: grpc.reflection.v1 and the older v1alpha.

grpcio-reflection ships only v1alpha. The v1 service has the same messages field for field
(only the package differs), so the same servicer answers both; current tools (buf curl,
grpcurl) ask for v1 first and older ones for v1alpha.
"""

from __future__ import annotations

from collections.abc import Iterable

import grpc
from grpc_reflection.v1alpha import reflection, reflection_pb2, reflection_pb2_grpc

V1_SERVICE_NAME = "grpc.reflection.v1.ServerReflection"


def enable_reflection(service_names: Iterable[str], server: grpc.Server) -> None:
    """Serve reflection v1 and v1alpha, listing service_names and the v1alpha service.

    The v1 service is not listed: its descriptor is not in the pool (the library ships only
    v1alpha's), and a listed service a client cannot describe makes it stop.
    """
    names = (*service_names, reflection.SERVICE_NAME)
    servicer = reflection.ReflectionServicer(names)
    reflection_pb2_grpc.add_ServerReflectionServicer_to_server(servicer, server)
    v1 = grpc.method_handlers_generic_handler(
        V1_SERVICE_NAME,
        {
            "ServerReflectionInfo": grpc.stream_stream_rpc_method_handler(
                servicer.ServerReflectionInfo,
                request_deserializer=reflection_pb2.ServerReflectionRequest.FromString,
                response_serializer=reflection_pb2.ServerReflectionResponse.SerializeToString,
            )
        },
    )
    server.add_generic_rpc_handlers((v1,))
