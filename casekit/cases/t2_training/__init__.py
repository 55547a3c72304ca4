"""T2 — induction and training (K7, K9, P2.3): skills audit, training plan and schedule, evaluation and ROI."""
