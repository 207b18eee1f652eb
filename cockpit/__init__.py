"""cockpit domain of eldercare."""
