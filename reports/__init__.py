"""The fortnightly quality analysis report (养老服务质量分析报告, seed 000 §2.3): one report model
(``content``) rendered twice (``render_docx``, ``render_pdf``) so the two cannot disagree."""
