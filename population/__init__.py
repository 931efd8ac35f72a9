"""Population base library (人口基础库)."""
