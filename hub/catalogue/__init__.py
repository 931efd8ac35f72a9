"""The resource catalogue (目录) and responsibility list (责任清单)."""
