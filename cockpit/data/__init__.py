"""The cockpit's data access: one module per page group, all reading through ``core``."""
