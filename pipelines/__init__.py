"""pipelines domain of eldercare."""
