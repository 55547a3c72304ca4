"""T3 — performance management (P3.1–P3.3): KPI sets, agreed targets, reviews, appraisal and development."""
