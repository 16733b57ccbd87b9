"""The top floor: the FastAPI app and the `mujun` command line, composing etl, layers and the core."""
