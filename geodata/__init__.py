"""Natural resources and spatial geography libraries (自然资源和空间地理库)."""
