"""The cohort: the gradebook's facts brought together with the assessment domain: each submission's current result,
each candidate's unit result, the moderation report and the exports. Reads and writes the gradebook; decides
nothing itself (:mod:`casekit.assessment` does)."""
