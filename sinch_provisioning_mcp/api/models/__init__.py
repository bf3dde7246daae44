"""Pydantic models of the Provisioning API's resources, one module per family."""
