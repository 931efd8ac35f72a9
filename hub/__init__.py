"""The Jiangsu base data hub: project package and governance core."""
