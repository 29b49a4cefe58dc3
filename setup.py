"""Build the package with the contract and the migrations inside it.

The top-level `proto/` and `migrations/` folders stay where they are in the source tree;
here they are mapped into the package as `newsledger.proto` and `newsledger.migrations`,
so a wheel carries them and the code finds them with importlib.resources. Everything else
about the build is in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages("service", include=["newsledger", "newsledger.*"]),
        "newsledger.migrations",
        "newsledger.proto",
    ],
    package_dir={
        "": "service",
        "newsledger.migrations": "migrations",
        "newsledger.proto": "proto",
    },
)
