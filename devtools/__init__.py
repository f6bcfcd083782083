"""Tools for running the service's real parts locally: tests, benchmarks, evaluation, `make run`."""
