"""Work-order warning (工单预警): supervision rules, the learned score, settlement; docs/warning.md."""
