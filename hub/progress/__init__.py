"""Build progress for the joint meeting."""
