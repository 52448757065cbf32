"""The environment imgforge runs in: the Docker engine, the local registry, the base-image catalog."""
