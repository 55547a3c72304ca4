"""The unit level, pure domain: the assessment plan, the roster, the facts it is decided from (attempts, grading
runs, marks, moderation, sign-offs), moderation statistics, and the unit decision. No file is read or written here:
the gradebook stores the facts (:mod:`casekit.store`), the cohort layer (:mod:`casekit.cohort`) brings them
together."""
