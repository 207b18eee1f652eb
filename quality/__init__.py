"""quality domain of eldercare."""
