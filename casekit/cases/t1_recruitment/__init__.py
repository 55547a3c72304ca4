"""T1 — recruitment and retention (P1.1, P1.2): fairness, selection, turnover, retention and succession."""
