"""models domain of eldercare."""
