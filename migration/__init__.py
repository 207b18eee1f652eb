"""migration domain of eldercare."""
