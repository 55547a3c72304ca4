"""T5 — legal and regulatory compliance (P5.1, P5.2): the legal framework, regulatory training, breaches found."""
